using System.Security.Cryptography;
using ClaimLedger.Transparency;

namespace ClaimLedger.UnitTests.Transparency;

/// <summary>C2SP tlog-checkpoint bodies, parsed strictly, signed and verified as docs/ledger-format.md says.</summary>
public sealed class CheckpointTests
{
    private const string Root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";

    [Fact]
    public void TheSpecificationsExampleBody_Parses()
    {
        // c2sp.org/tlog-checkpoint's example (its key is not published, so only the text).
        var checkpoint = Checkpoint.ParseNoteText("example.com/behind-the-sofa\n20852163\n" + Root + "\n");
        checkpoint.Origin.ShouldBe("example.com/behind-the-sofa");
        checkpoint.Size.ShouldBe(20852163);
        Convert.ToBase64String(checkpoint.RootHash).ShouldBe(Root);
        checkpoint.Extensions.ShouldBeEmpty();
        checkpoint.ToNoteText().ShouldBe("example.com/behind-the-sofa\n20852163\n" + Root + "\n");
    }

    [Fact]
    public void ExtensionLines_ArePreservedWhenParsing()
    {
        var text = "example.com/log\n7\n" + Root + "\nextension one\n— not a signature\n";
        var checkpoint = Checkpoint.ParseNoteText(text);
        checkpoint.Extensions.ShouldBe(["extension one", "— not a signature"]);
        checkpoint.ToNoteText().ShouldBe(text);
    }

    [Fact]
    public void ANewCheckpoint_IsTheThreeLines()
    {
        var root = SHA256.HashData("x"u8);
        new Checkpoint("claimledger.local/0a1b2c3d", 4096, root).ToNoteText()
            .ShouldBe($"claimledger.local/0a1b2c3d\n4096\n{Convert.ToBase64String(root)}\n");
        Should.Throw<ArgumentException>(() => new Checkpoint("o", 1, root[..31]));
        Should.Throw<ArgumentException>(() => new Checkpoint("", 1, root));
        Should.Throw<ArgumentException>(() => new Checkpoint("a\nb", 1, root));
        Should.Throw<ArgumentOutOfRangeException>(() => new Checkpoint("o", -1, root));
        Should.Throw<ArgumentException>(() => new Checkpoint("o", 1, root, [""]));
    }

    public static TheoryData<string> MalformedTexts => new()
    {
        "",
        "example.com/log\n7\n" + Root,                   // no final newline
        "example.com/log\n7\n",                          // no root
        "\n7\n" + Root + "\n",                           // empty origin
        "example.com/log\n07\n" + Root + "\n",           // leading zero
        "example.com/log\n00\n" + Root + "\n",
        "example.com/log\n+7\n" + Root + "\n",           // sign
        "example.com/log\n-7\n" + Root + "\n",
        "example.com/log\n 7\n" + Root + "\n",           // spaces
        "example.com/log\n7 \n" + Root + "\n",
        "example.com/log\n0x7\n" + Root + "\n",
        "example.com/log\n7.0\n" + Root + "\n",
        "example.com/log\n٧\n" + Root + "\n",            // a non-ASCII digit
        "example.com/log\n9223372036854775808\n" + Root + "\n", // beyond a long
        "example.com/log\n\n" + Root + "\n",
        "example.com/log\n7\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",   // unpadded
        "example.com/log\n7\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",  // non-zero padding bits
        "example.com/log\n7\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=  \n",
        "example.com/log\n7\n CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "example.com/log\n7\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n",  // URL alphabet
        "example.com/log\n7\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n",      // 30 bytes
        "example.com/log\n7\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2IA\n",  // 33 bytes
        "example.com/log\n7\n" + Root + "\n\n",          // empty extension line
        "example.com/log\n7\n" + Root + "\nok\n\nok\n",
        "example.com/log\r\n7\r\n" + Root + "\r\n",      // CRLF
        "example.com/log\n7\n" + Root + "\n\u0001\n",
    };

    [Theory]
    [MemberData(nameof(MalformedTexts))]
    public void MalformedTexts_AreRefused(string text)
    {
        Checkpoint.TryParseNoteText(text, out var checkpoint, out var error).ShouldBeFalse();
        checkpoint.ShouldBeNull();
        error.ShouldNotBeNullOrWhiteSpace();
        Should.Throw<FormatException>(() => Checkpoint.ParseNoteText(text));
    }

    [Fact]
    public void SizeZeroAndTheLargestSize_Parse()
    {
        Checkpoint.ParseNoteText("o\n0\n" + Root + "\n").Size.ShouldBe(0);
        Checkpoint.ParseNoteText("o\n9223372036854775807\n" + Root + "\n").Size.ShouldBe(long.MaxValue);
    }

    [Fact]
    public void ASignedCheckpoint_VerifiesWithTheLogsKey_InTheDocumentedFormat()
    {
        using var signer = NoteSigner.Generate("claimledger.local/test");
        var root = SHA256.HashData("root"u8);
        var note = new Checkpoint(signer.Name, 12, root).Sign(signer);

        var lines = note.Split('\n');
        lines[..4].ShouldBe([signer.Name, "12", Convert.ToBase64String(root), ""]);
        lines[4].ShouldStartWith("— claimledger.local/test ");
        Convert.FromBase64String(lines[4]["— claimledger.local/test ".Length..]).Length.ShouldBe(4 + 64);
        lines[5].ShouldBe("");
        lines.Length.ShouldBe(6);

        var result = Checkpoint.Verify(note, NoteVerifierKey.Parse(signer.VerifierKey.ToString()));
        result.IsValid.ShouldBeTrue(result.ToString());
        result.Checkpoint!.Size.ShouldBe(12);
        result.Checkpoint.RootHash.ToArray().ShouldBe(root);
    }

    [Fact]
    public void AChangedSizeRootOrSignature_OrAnotherKey_IsRejected()
    {
        using var signer = NoteSigner.Generate("example.com/log");
        var note = new Checkpoint("example.com/log", 1234, SHA256.HashData("root"u8)).Sign(signer);
        var key = signer.VerifierKey;

        Checkpoint.Verify(note.Replace("\n1234\n", "\n1235\n", StringComparison.Ordinal), key).Failure.ShouldBe(CheckpointFailure.InvalidSignature);

        var rootLine = note.Split('\n')[2];
        var otherRoot = Convert.ToBase64String(SHA256.HashData("other"u8));
        Checkpoint.Verify(note.Replace(rootLine, otherRoot, StringComparison.Ordinal), key).Failure.ShouldBe(CheckpointFailure.InvalidSignature);

        var signatureLine = note.Split('\n')[4];
        var blob = Convert.FromBase64String(signatureLine[(signatureLine.LastIndexOf(' ') + 1)..]);
        blob[^1] ^= 1;
        var damaged = note.Replace(signatureLine, SignedNote.SignatureLine(signer.Name, signer.KeyHash, blob.AsSpan(4)).TrimEnd('\n'), StringComparison.Ordinal);
        Checkpoint.Verify(damaged, key).Failure.ShouldBe(CheckpointFailure.InvalidSignature);

        using var other = NoteSigner.Generate("example.com/log");
        Checkpoint.Verify(note, other.VerifierKey).Failure.ShouldBe(CheckpointFailure.NoSignatureByKey);

        Checkpoint.Verify("not a note", key).Failure.ShouldBe(CheckpointFailure.MalformedNote);
    }

    [Fact]
    public void ACheckpointFromAnotherOrigin_OrASignedTextThatIsNoCheckpoint_IsRejected()
    {
        using var signer = NoteSigner.Generate("example.com/log");
        var elsewhere = new Checkpoint("example.com/another-log", 5, SHA256.HashData("r"u8)).Sign(signer);
        Checkpoint.Verify(elsewhere, signer.VerifierKey).Failure.ShouldBe(CheckpointFailure.OriginMismatch);

        var notACheckpoint = SignedNote.Sign("example.com/log\n05\n" + Root + "\n", signer);
        var result = Checkpoint.Verify(notACheckpoint, signer.VerifierKey);
        result.Failure.ShouldBe(CheckpointFailure.MalformedCheckpoint);
        result.Message.ShouldContain("05");
    }
}
