using System.Globalization;
using Custody.Core;
using Custody.Daemon.Auth;
using Custody.Daemon.Wallets;
using Custody.Core.Ledger;
using Custody.V1;
using Grpc.Core;

namespace Custody.Daemon.Services;

/// <summary>Thin: checks the shape of each request, calls <see cref="WalletRepository"/>, maps the answer.</summary>
public sealed class WalletService(WalletRepository wallets, DescriptorAccounts accounts) : V1.WalletService.WalletServiceBase
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 500;

    public override async Task<Wallet> CreateWallet(CreateWalletRequest request, ServerCallContext context)
    {
        // A seed or key made here has no copy anywhere else: the caller must say it knows.
        if (request.Backup != V1.WalletBackup.NoneAcknowledged)
            throw new InvalidInputException("backup", "the new wallet's keys will have no backup: set backup to WALLET_BACKUP_NONE_ACKNOWLEDGED, " +
                "or make the wallet in a ceremony (custody-admin ceremony generate) to give custodians a backup of its seed");
        var wallet = await wallets.CreateAsync(request.Name, ProtoMapping.ToKind(request.Kind), ProtoMapping.ToCurve(request.Curve),
            Caller.Of(context).Principal, context.CancellationToken).ConfigureAwait(false);
        return ProtoMapping.ToProto(wallet);
    }

    public override async Task<ListWalletsResponse> ListWallets(ListWalletsRequest request, ServerCallContext context)
    {
        if (request.PageSize is < 0 or > MaxPageSize) throw new InvalidInputException("page_size", $"0 to {MaxPageSize}");
        var size = request.PageSize == 0 ? DefaultPageSize : request.PageSize;
        var scope = Caller.Of(context).Wallets;
        var response = new ListWalletsResponse();
        var after = string.IsNullOrEmpty(request.PageToken) ? null : request.PageToken;
        // Scoped tokens see only their wallets; page through until the page is full or the table ends.
        while (response.Wallets.Count < size)
        {
            var page = await wallets.ListAsync(after, size, context.CancellationToken).ConfigureAwait(false);
            foreach (var wallet in page)
            {
                after = wallet.WalletId;
                if (!scope.Allows(wallet.WalletId)) continue;
                response.Wallets.Add(ProtoMapping.ToProto(wallet));
                if (response.Wallets.Count == size) break;
            }
            if (page.Count < size) return response;
        }
        response.NextPageToken = after ?? "";
        return response;
    }

    public override async Task<Wallet> GetWallet(GetWalletRequest request, ServerCallContext context) =>
        ProtoMapping.ToProto(await wallets.GetAsync(request.WalletId, context.CancellationToken).ConfigureAwait(false));

    public override async Task<DeriveAddressResponse> DeriveAddress(DeriveAddressRequest request, ServerCallContext context)
    {
        var wallet = await wallets.GetAsync(request.WalletId, context.CancellationToken).ConfigureAwait(false);
        var chain = ProtoMapping.ToChain(request.Chain);
        uint? index = request.SelectorCase switch
        {
            DeriveAddressRequest.SelectorOneofCase.Index => request.Index,
            DeriveAddressRequest.SelectorOneofCase.NextUnused when request.NextUnused => null,
            _ => throw new InvalidInputException("selector", "give index, or next_unused = true"),
        };
        var derived = await wallets.DeriveAddressAsync(wallet, chain, request.Account, ProtoMapping.ToAddressKind(request.Kind),
            request.Change, index, Caller.Of(context).Principal, context.CancellationToken).ConfigureAwait(false);
        return new DeriveAddressResponse
        {
            Address = derived.Address,
            Chain = chain.Id,
            DerivationPath = derived.Path.ToString(),
            PublicKey = Convert.ToHexStringLower(derived.PublicKey),
            Index = derived.Index,
            Kind = ProtoMapping.ToProto(derived.Kind),
        };
    }

    public override async Task<GetAccountXpubResponse> GetAccountXpub(GetAccountXpubRequest request, ServerCallContext context)
    {
        var wallet = await wallets.GetAsync(request.WalletId, context.CancellationToken).ConfigureAwait(false);
        var chain = ProtoMapping.ToChain(request.Chain);
        if (wallet.Kind != Core.Ledger.WalletKind.Hd) throw new InvalidInputException("wallet_id", "an HSM-native wallet has no extended keys");
        if (chain.Curve != Core.Chains.KeyCurve.Secp256k1)
            throw new InvalidInputException("chain", $"{chain.Id} derives with SLIP-10 ed25519, which has no extended public keys");
        if (request.Account >= Core.Hd.KeyPath.HardenedBit) throw new InvalidInputException("account", "must be below 2^31");
        var accountPath = Core.Chains.DerivationScheme.Select(chain, ProtoMapping.ToAddressKind(request.Kind)).AccountPath(request.Account);
        var xpub = await wallets.AccountXpubAsync(wallet, accountPath, Caller.Of(context).Principal, context.CancellationToken).ConfigureAwait(false);
        return new GetAccountXpubResponse
        {
            Xpub = chain.Family.AccountKeyText(chain, xpub),
            DerivationPath = accountPath.ToString(),
            MasterFingerprint = wallet.MasterFingerprint!.Value.ToString("x8", CultureInfo.InvariantCulture),
        };
    }

    public override async Task<Account> CreateAccount(CreateAccountRequest request, ServerCallContext context)
    {
        var wallet = await wallets.GetAsync(request.WalletId, context.CancellationToken).ConfigureAwait(false);
        var chain = ProtoMapping.ToChain(request.Chain);
        var definition = request.DefinitionCase switch
        {
            CreateAccountRequest.DefinitionOneofCase.OutputDescriptor => new DescriptorAccounts.Definition(request.OutputDescriptor, null, 0, [], 0),
            CreateAccountRequest.DefinitionOneofCase.Cosigners => new DescriptorAccounts.Definition(null, ProtoMapping.ToScriptType(request.Cosigners.ScriptType),
                (int)Math.Min(request.Cosigners.Threshold, int.MaxValue), request.Cosigners.Keys, request.Cosigners.Account),
            _ => throw new InvalidInputException("definition", "give descriptor, or cosigners"),
        };
        var account = await accounts.CreateAsync(wallet, request.Name, chain, definition, Caller.Of(context).Principal, context.CancellationToken).ConfigureAwait(false);
        return ProtoMapping.ToProto(account);
    }

    public override async Task<ListAccountsResponse> ListAccounts(ListAccountsRequest request, ServerCallContext context)
    {
        var wallet = await wallets.GetAsync(request.WalletId, context.CancellationToken).ConfigureAwait(false);
        return new ListAccountsResponse { Accounts = { (await accounts.ListAsync(wallet, context.CancellationToken).ConfigureAwait(false)).Select(ProtoMapping.ToProto) } };
    }

    public override async Task<Account> GetAccount(GetAccountRequest request, ServerCallContext context)
    {
        var wallet = await wallets.GetAsync(request.WalletId, context.CancellationToken).ConfigureAwait(false);
        return ProtoMapping.ToProto(await accounts.GetAsync(wallet, request.Name, context.CancellationToken).ConfigureAwait(false));
    }

    public override async Task<DeriveAccountAddressResponse> DeriveAccountAddress(DeriveAccountAddressRequest request, ServerCallContext context)
    {
        var wallet = await wallets.GetAsync(request.WalletId, context.CancellationToken).ConfigureAwait(false);
        var account = await accounts.GetAsync(wallet, request.Name, context.CancellationToken).ConfigureAwait(false);
        var branch = request.Change ? 1 : 0;
        var network = Core.Chains.Bitcoin.Descriptors.DescriptorAccount.NetworkOf(account.Chain, "name");
        return new DeriveAccountAddressResponse
        {
            Address = account.Descriptor.Address(network, branch, request.Index),
            ScriptPubKey = Convert.ToHexStringLower(account.Descriptor.ScriptPubKey(branch, request.Index)),
            Branch = (uint)branch,
            Index = request.Index,
        };
    }
}
