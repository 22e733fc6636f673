using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Custody.Core.Chains;
using Custody.Core.Policy.Json;
using Custody.Core.Wire;

namespace Custody.Core.Policy;

/// <summary>
/// The policy document format (docs/policy.md): JSON, comments allowed, unknown
/// properties refused, every error as InvalidInputException("policy", "line N: path: reason").
/// <see cref="Write"/> gives the canonical form: normalised, sets sorted, indented, so that
/// two versions can be diffed line by line and a version's digest is stable.
/// </summary>
public static class PolicyJson
{
    // "mon" or "monday", any case.
    private static readonly Dictionary<string, DayOfWeek> DayNames = Enum.GetValues<DayOfWeek>()
        .SelectMany(d => new[] { (d.ToString(), d), (d.ToString()[..3], d) })
        .ToDictionary(p => p.Item1, p => p.d, StringComparer.OrdinalIgnoreCase);

    public static PolicyDocument Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(UnicodeText.ToUtf8(text, reason => new InvalidInputException("policy", "the document " + reason)));
    }

    public static PolicyDocument Parse(ReadOnlySpan<byte> utf8) => ReadDocument(JsonTree.Parse(utf8));

    private static PolicyDocument ReadDocument(JsonTree root)
    {
        var fields = new JsonFields(root, "schema", "description", "principals", "chains", "timeWindows", "approvals");
        var schema = fields.Required("schema");
        if (JsonFields.String(schema) != PolicyDocument.SchemaId)
            throw schema.Error($"must be \"{PolicyDocument.SchemaId}\"");
        var description = fields.Optional("description") is { } d ? JsonFields.String(d) : null;
        var principals = StringSet(fields.Required("principals"));
        var approvals = fields.Optional("approvals") is { } a ? ReadApprovals(a) : null;
        var chains = ReadChains(fields.Required("chains"), approvals);
        var windows = fields.Optional("timeWindows") is { } w ? JsonFields.Array(w).Select(ReadTimeWindow).ToArray() : [];
        return new PolicyDocument(description, principals, chains, windows, approvals);
    }

    private static SortedDictionary<string, ChainRules> ReadChains(JsonTree node, ApprovalRules? approvals)
    {
        if (node.Kind != JsonValueKind.Object) throw node.Error("must be an object keyed by chain id");
        var chains = new SortedDictionary<string, ChainRules>(StringComparer.Ordinal);
        foreach (var (name, value) in node.Properties)
        {
            if (!ChainRegistry.TryGet(name, out var chain)) throw value.Error($"'{name}' is not a known chain id");
            if (chains.ContainsKey(chain.Id)) throw value.Error($"chain {chain.Id} is listed twice (under another name)");
            chains.Add(chain.Id, ReadChain(value, chain, approvals));
        }
        return chains;
    }

    private static ChainRules ReadChain(JsonTree node, Chain chain, ApprovalRules? approvals)
    {
        var fields = new JsonFields(node, "assets", "allowList", "denyList", "maxFee", "maxFeeRate", "contractCalls",
            "allowNotes", "rawSigning", "allowReplacement", "allowUnresolvedDestinations", "requireFullPrevTx");
        var assets = new SortedDictionary<string, AssetRules>(StringComparer.Ordinal);
        if (fields.Optional("assets") is { } assetsNode)
        {
            if (assetsNode.Kind != JsonValueKind.Object) throw assetsNode.Error("must be an object keyed by asset");
            foreach (var (name, value) in assetsNode.Properties)
            {
                var asset = Checked(value, () => PolicyAddresses.NormalizeAsset(chain, name));
                if (assets.ContainsKey(asset)) throw value.Error($"asset {asset} is listed twice");
                assets.Add(asset, ReadAsset(value, approvals));
            }
        }
        var maxFeeRate = fields.Optional("maxFeeRate");
        if (maxFeeRate is not null && !chain.Family.HasFeeRate)
            throw maxFeeRate.Error($"a fee rate cap applies to the {Families(f => f.HasFeeRate)} family only, whose transactions have a virtual size (use maxFee)");
        var requireFullPrevTx = fields.Optional("requireFullPrevTx");
        if (requireFullPrevTx is not null && !chain.Family.HasUnprovenInputAmounts)
            throw requireFullPrevTx.Error($"requireFullPrevTx applies to the {Families(f => f.HasUnprovenInputAmounts)} family only, whose inputs spend earlier outputs");
        return new ChainRules(
            assets,
            fields.Optional("allowList") is { } allow ? AddressSet(allow, chain) : null,
            fields.Optional("denyList") is { } deny ? AddressSet(deny, chain) : new SortedSet<string>(StringComparer.Ordinal),
            fields.Optional("maxFee") is { } fee ? JsonFields.Amount(fee) : null,
            maxFeeRate is null ? null : JsonFields.Milli(maxFeeRate),
            fields.Optional("contractCalls") is { } calls ? JsonFields.Array(calls).Select(c => ReadContractCall(c, chain)).ToArray() : [],
            fields.Optional("allowNotes") is { } notes ? StringSet(notes).ToArray() : [],
            JsonFields.Bool(fields.Optional("rawSigning")),
            JsonFields.Bool(fields.Optional("allowReplacement")),
            JsonFields.Bool(fields.Optional("allowUnresolvedDestinations")),
            requireFullPrevTx is null ? chain.Family.HasUnprovenInputAmounts : JsonFields.Bool(requireFullPrevTx));
    }

    private static AssetRules ReadAsset(JsonTree node, ApprovalRules? approvals)
    {
        var fields = new JsonFields(node, "maxPerTransaction", "approvalAbove", "velocity");
        var approvalAbove = fields.Optional("approvalAbove");
        if (approvalAbove is not null && approvals is null)
            throw approvalAbove.Error("needs an 'approvals' section naming the approvers");
        var velocity = fields.Optional("velocity") is { } v ? JsonFields.Array(v).Select(ReadVelocity).ToArray() : [];
        return new AssetRules(
            fields.Optional("maxPerTransaction") is { } max ? JsonFields.Amount(max) : null,
            approvalAbove is null ? null : JsonFields.Amount(approvalAbove),
            velocity);
    }

    private static VelocityLimit ReadVelocity(JsonTree node)
    {
        var fields = new JsonFields(node, "window", "maxAmount", "maxCount");
        var amount = fields.Optional("maxAmount") is { } a ? JsonFields.Amount(a) : (BigInteger?)null;
        var count = fields.Optional("maxCount") is { } c ? JsonFields.Integer(c, 0, int.MaxValue) : (long?)null;
        if (amount is null && count is null) throw node.Error("needs maxAmount, maxCount or both");
        return new VelocityLimit(JsonFields.Duration(fields.Required("window")), amount, count);
    }

    private static ContractCallRule ReadContractCall(JsonTree node, Chain chain)
    {
        var fields = new JsonFields(node, "contract", "selectors");
        var contractNode = fields.Required("contract");
        var contract = Checked(contractNode, () => PolicyAddresses.Normalize(chain, JsonFields.String(contractNode)));
        var selectorsNode = fields.Required("selectors");
        var selectors = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var item in JsonFields.Array(selectorsNode))
        {
            var selector = PolicyAddresses.NormalizeSelector(chain, JsonFields.String(item));
            if (selector != ContractCallRule.AnySelector && chain.Family.SelectorError(selector) is { } error)
                throw item.Error(error);
            selectors.Add(selector);
        }
        if (selectors.Count == 0) throw selectorsNode.Error("must list at least one selector (\"*\" for any)");
        return new ContractCallRule(contract, selectors);
    }

    private static string Families(Func<ChainFamily, bool> trait) => string.Join(", ", ChainRegistry.Families.Where(trait).Select(f => f.Name));

    private static TimeWindow ReadTimeWindow(JsonTree node)
    {
        var fields = new JsonFields(node, "days", "fromHour", "toHour");
        var days = new SortedSet<DayOfWeek>();
        foreach (var item in JsonFields.Array(fields.Required("days")))
        {
            var name = JsonFields.String(item);
            if (!DayNames.TryGetValue(name, out var day)) throw item.Error($"'{name}' is not a day (mon … sun)");
            days.Add(day);
        }
        var from = JsonFields.Integer(fields.Required("fromHour"), 0, 23);
        var toNode = fields.Required("toHour");
        var to = JsonFields.Integer(toNode, 1, 24);
        if (to <= from) throw toNode.Error($"must be after fromHour ({from})");
        return new TimeWindow(days, from, to);
    }

    private static ApprovalRules ReadApprovals(JsonTree node)
    {
        var fields = new JsonFields(node, "required", "approvers", "expiry");
        var approvers = StringSet(fields.Required("approvers"));
        var requiredNode = fields.Required("required");
        var required = JsonFields.Integer(requiredNode, 1, 100);
        if (required > approvers.Count)
            throw requiredNode.Error($"needs {required} approvals but names only {approvers.Count} approvers");
        return new ApprovalRules(required, approvers, JsonFields.Duration(fields.Required("expiry")));
    }

    private static SortedSet<string> StringSet(JsonTree node)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var item in JsonFields.Array(node))
            if (!set.Add(JsonFields.String(item))) throw item.Error($"'{item.Text}' is listed twice");
        return set;
    }

    private static SortedSet<string> AddressSet(JsonTree node, Chain chain)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var item in JsonFields.Array(node))
        {
            var address = Checked(item, () => PolicyAddresses.Normalize(chain, JsonFields.String(item)));
            if (!set.Add(address)) throw item.Error($"{address} is listed twice");
        }
        return set;
    }

    /// <summary>Re-throws a format error from the address code with this value's line.</summary>
    private static T Checked<T>(JsonTree node, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidInputException e) when (e.Field != "policy")
        {
            throw node.Error($"{e.Field}: {e.Reason}");
        }
    }

    /// <summary>The canonical text of a document: what is stored, digested and diffed.</summary>
    public static string Write(PolicyDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("schema", PolicyDocument.SchemaId);
            if (document.Description is { } description) w.WriteString("description", description);
            WriteStrings(w, "principals", document.Principals.Order(StringComparer.Ordinal));
            if (document.Approvals is { } approvals)
            {
                w.WriteStartObject("approvals");
                w.WriteNumber("required", approvals.Required);
                WriteStrings(w, "approvers", approvals.Approvers.Order(StringComparer.Ordinal));
                w.WriteString("expiry", JsonFields.DurationText(approvals.Expiry));
                w.WriteEndObject();
            }
            if (document.TimeWindows.Count > 0)
            {
                w.WriteStartArray("timeWindows");
                foreach (var window in document.TimeWindows)
                {
                    w.WriteStartObject();
                    WriteStrings(w, "days", window.Days.Order().Select(d => d.ToString()[..3].ToLowerInvariant()));
                    w.WriteNumber("fromHour", window.FromHour);
                    w.WriteNumber("toHour", window.ToHour);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteStartObject("chains");
            foreach (var (id, chain) in document.Chains.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject(id);
                WriteChain(w, chain, ChainRegistry.Get(id).Family.HasUnprovenInputAmounts);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()).ReplaceLineEndings("\n") + "\n";
    }

    // Properties are written only when they differ from their defaults, so documents published before a property existed keep their canonical form.
    private static void WriteChain(Utf8JsonWriter w, ChainRules chain, bool requireFullPrevTxByDefault)
    {
        if (chain.RequireFullPrevTx != requireFullPrevTxByDefault) w.WriteBoolean("requireFullPrevTx", chain.RequireFullPrevTx);
        if (chain.RawSigning) w.WriteBoolean("rawSigning", true);
        if (chain.AllowReplacement) w.WriteBoolean("allowReplacement", true);
        if (chain.AllowUnresolvedDestinations) w.WriteBoolean("allowUnresolvedDestinations", true);
        if (chain.AllowNotes.Count > 0) WriteStrings(w, "allowNotes", chain.AllowNotes.Order(StringComparer.Ordinal));
        if (chain.MaxFee is { } fee) WriteAmount(w, "maxFee", fee);
        if (chain.MaxFeeRateMilli is { } rate) w.WriteString("maxFeeRate", JsonFields.MilliText(rate));
        if (chain.DenyList.Count > 0) WriteStrings(w, "denyList", chain.DenyList.Order(StringComparer.Ordinal));
        if (chain.AllowList is { } allow) WriteStrings(w, "allowList", allow.Order(StringComparer.Ordinal));
        if (chain.ContractCalls.Count > 0)
        {
            w.WriteStartArray("contractCalls");
            foreach (var call in chain.ContractCalls)
            {
                w.WriteStartObject();
                w.WriteString("contract", call.Contract);
                WriteStrings(w, "selectors", call.Selectors.Order(StringComparer.Ordinal));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteStartObject("assets");
        foreach (var (asset, rules) in chain.Assets.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject(asset);
            if (rules.MaxPerTransaction is { } max) WriteAmount(w, "maxPerTransaction", max);
            if (rules.ApprovalAbove is { } above) WriteAmount(w, "approvalAbove", above);
            if (rules.Velocity.Count > 0)
            {
                w.WriteStartArray("velocity");
                foreach (var limit in rules.Velocity)
                {
                    w.WriteStartObject();
                    w.WriteString("window", JsonFields.DurationText(limit.Window));
                    if (limit.MaxAmount is { } amount) WriteAmount(w, "maxAmount", amount);
                    if (limit.MaxCount is { } count) w.WriteNumber("maxCount", count);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteAmount(Utf8JsonWriter w, string name, BigInteger amount) =>
        w.WriteString(name, amount.ToString(CultureInfo.InvariantCulture));

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values) w.WriteStringValue(value);
        w.WriteEndArray();
    }
}
