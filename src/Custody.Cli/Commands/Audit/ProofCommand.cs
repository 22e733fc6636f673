using System.CommandLine;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;
using Custody.V1;

namespace Custody.Cli.Audit;

/// <summary>
/// custody-admin audit proof: fetches the inclusion proof of a record (a signing reply's receipt) and
/// checks it here, as an outsider would: the record's leaf hash, the path to the root of a signed
/// checkpoint, and (with --key) that checkpoint's signature under the audit verifier key.
/// </summary>
internal static class ProofCommand
{
    public static Command Create()
    {
        var command = new Command("proof", "Prove that an audit record (e.g. a signing receipt) is in the signed log, checked locally");
        var connection = DaemonClient.Options.AddTo(command);
        var sequence = new Option<ulong>("--sequence") { Description = "The record's sequence number (a signing reply's audit receipt)", Required = true };
        var key = new Option<string>("--key") { Description = "The audit verifier key file (DIR/audit.vkey), from the operator rather than the daemon you check" };
        command.Options.Add(sequence);
        command.Options.Add(key);
        command.SetAction(parse =>
        {
            using var daemon = connection.Connect(parse);
            var proof = daemon.Audit.GetInclusionProof(new GetInclusionProofRequest { Sequence = parse.GetValue(sequence) }, daemon.Call);
            var checkpoint = parse.GetValue(key) is { } keyFile
                ? Checkpoint.Open(proof.Checkpoint, NoteVerifierKey.Parse(File.ReadAllText(keyFile).Trim()))
                : Checkpoint.ParseBody(SignedNote.Parse(proof.Checkpoint).Text);
            var included = checkpoint.Size == (long)proof.TreeSize && MerkleProof.VerifyInclusion((long)proof.Sequence, (long)proof.TreeSize,
                MerkleHash.Leaf(proof.RecordData.Span), proof.Path.Select(p => p.ToByteArray()).ToList(), checkpoint.RootHash.Span);
            DaemonClient.Print(connection.Json(parse), proof, () => Console.Out.WriteLine(included
                ? $"record {proof.Sequence} is in the log: the path leads to the root of checkpoint {proof.CheckpointIndex} (tree size {proof.TreeSize})" +
                  (parse.GetValue(key) is null ? ", whose signature was not checked (give --key)" : ", signed by the audit key")
                : $"record {proof.Sequence}: the proof does not lead to the root of checkpoint {proof.CheckpointIndex}"));
            return included ? CliRunner.Ok : CliRunner.Failure;
        });
        return command;
    }
}
