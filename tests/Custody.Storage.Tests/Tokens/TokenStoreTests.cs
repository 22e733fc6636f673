using System.Text;
using Custody.Core;
using Custody.Storage.Tokens;

namespace Custody.Storage.Tests.Tokens;

public class TokenStoreTests
{
    [Fact]
    public async Task A_token_is_found_by_its_secret_and_the_secret_is_not_stored()
    {
        using var db = new TempDatabase();
        var store = new TokenStore(db.Opener);
        var (token, secret) = store.Create("ops-bot", Roles.Signer | Roles.Auditor, WalletScope.Parse("w_1,w_2"));

        var found = await store.FindByHashAsync(TokenSecret.TryHash(secret)!, default);
        Assert.NotNull(found);
        Assert.Equal(token.TokenId, found.TokenId);
        Assert.Equal("ops-bot", found.Principal);
        Assert.Equal(Roles.Signer | Roles.Auditor, found.Roles);
        Assert.True(found.Wallets.Allows("w_2"));
        Assert.False(found.Wallets.Allows("w_3"));

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        // The database and whatever WAL is left: the principal is there, the secret is not.
        var files = Directory.GetFiles(Path.GetDirectoryName(db.Opener.Path)!, "custody.db*");
        var text = string.Concat(files.Select(f => Encoding.ASCII.GetString(File.ReadAllBytes(f))));
        Assert.Contains("ops-bot", text, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[TokenSecret.Prefix.Length..], text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_token_is_reported_revoked_and_revoking_twice_is_false()
    {
        using var db = new TempDatabase();
        var store = new TokenStore(db.Opener);
        var (token, secret) = store.Create("alice", Roles.Admin, WalletScope.All);
        Assert.True(store.Revoke(token.TokenId));
        Assert.False(store.Revoke(token.TokenId));
        Assert.False(store.Revoke("tok_unknown"));
        var found = await store.FindByHashAsync(TokenSecret.TryHash(secret)!, default);
        Assert.True(found!.IsRevoked);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bearer cst_x")]
    [InlineData("cst_")]
    [InlineData("cst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 42 characters: one short
    [InlineData("cst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+")] // not base64url
    public void Malformed_token_text_has_no_hash(string text) => Assert.Null(TokenSecret.TryHash(text));

    [Fact]
    public void Generated_secrets_differ_and_hash() =>
        Assert.NotEqual(TokenSecret.TryHash(TokenSecret.Generate()), TokenSecret.TryHash(TokenSecret.Generate()));

    [Theory]
    [InlineData("signer,root")]
    [InlineData("")]
    public void Unknown_or_missing_roles_name_the_field(string text) =>
        Assert.Equal("roles", Assert.Throws<InvalidInputException>(() => RoleNames.Parse(text)).Field);

    [Fact]
    public void Roles_round_trip_as_text() =>
        Assert.Equal("signer,approver,admin", RoleNames.Format(RoleNames.Parse(" admin, signer,approver")));

    [Theory]
    [InlineData("*,w_1")]
    [InlineData("w 1")]
    [InlineData(",")]
    public void Bad_wallet_scopes_name_the_field(string text) =>
        Assert.Equal("wallets", Assert.Throws<InvalidInputException>(() => WalletScope.Parse(text)).Field);

    [Fact]
    public void Principal_names_are_checked()
    {
        using var db = new TempDatabase();
        var store = new TokenStore(db.Opener);
        Assert.Equal("principal", Assert.Throws<InvalidInputException>(() => store.Create("a b", Roles.Admin, WalletScope.All)).Field);
    }
}
