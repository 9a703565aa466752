using System.Text;
using ClaimLedger.Transparency;

namespace ClaimLedger.UnitTests.Transparency;

/// <summary>
/// C2SP signed notes against the published example of the reference implementation (golang.org/x/mod/sumdb/note,
/// note_test.go: the PeterNeumann and EnochRoot keys, note and signatures), then round trips and tampering.
/// </summary>
public sealed class SignedNoteTests
{
    private const string PeterKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    private const string PeterPrivateKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    private const string EnochKey = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";

    private const string Text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    private const string PeterSig = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    private const string EnochSig = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    // ---- known answers ------------------------------------------------------------------------------------------

    [Fact]
    public void PeterNeumannsVerifierKey_Parses_AndFormatsBackIdentically()
    {
        var key = NoteVerifierKey.Parse(PeterKey);
        key.Name.ShouldBe("PeterNeumann");
        key.KeyHash.ShouldBe(0xc74f20a3u);
        key.PublicKey.Length.ShouldBe(32);
        key.ToString().ShouldBe(PeterKey);
        NoteKeys.KeyHash("PeterNeumann", key.PublicKey).ShouldBe(0xc74f20a3u);
        NoteVerifierKey.Parse(EnochKey).KeyHash.ShouldBe(0xaf0cfe78u);
    }

    [Fact]
    public void SigningPeterNeumannsNote_WithHisPrivateKey_GivesThePublishedNoteByteForByte()
    {
        using var signer = NoteSigner.ImportPrivateKey(PeterPrivateKey);
        signer.Name.ShouldBe("PeterNeumann");
        signer.VerifierKey.ToString().ShouldBe(PeterKey);
        signer.ExportPrivateKey().ShouldBe(PeterPrivateKey);

        // Ed25519 is deterministic (RFC 8032), so the signature is the published one.
        SignedNote.Sign(Text, signer).ShouldBe(Text + "\n" + PeterSig);
    }

    [Fact]
    public void PeterNeumannsPublishedNote_Verifies()
    {
        var result = SignedNote.Verify(Text + "\n" + PeterSig, NoteVerifierKey.Parse(PeterKey));
        result.IsValid.ShouldBeTrue(result.ToString());
        result.Text.ShouldBe(Text);
        result.Signatures.ShouldHaveSingleItem().KeyHash.ShouldBe(0xc74f20a3u);

        var bytes = SignedNote.Verify(Encoding.UTF8.GetBytes(Text + "\n" + PeterSig), NoteVerifierKey.Parse(PeterKey));
        bytes.IsValid.ShouldBeTrue();
    }

    [Fact]
    public void ANoteSignedByTwoKeys_VerifiesWithEither_AndIgnoresTheOther()
    {
        var note = Text + "\n" + PeterSig + EnochSig;
        SignedNote.Verify(note, NoteVerifierKey.Parse(PeterKey)).IsValid.ShouldBeTrue();
        var enoch = SignedNote.Verify(note, NoteVerifierKey.Parse(EnochKey));
        enoch.IsValid.ShouldBeTrue(enoch.ToString());
        enoch.Signatures.Select(s => s.Name).ShouldBe(["PeterNeumann", "EnochRoot"]);

        SignedNote.Verify(Text + "\n" + EnochSig, NoteVerifierKey.Parse(PeterKey)).Failure.ShouldBe(NoteFailure.NoSignatureByKey);
    }

    [Fact]
    public void RepeatedAndDamagedSignaturesOfOtherKeys_AreIgnored()
    {
        // From note_test.go: Peter's signature twice, Enoch's twice and once damaged; verified with Peter's key only.
        var note = Text + "\n" + PeterSig + PeterSig + EnochSig + EnochSig + EnochSig[..60] + "ABCD" + EnochSig[60..];
        SignedNote.Verify(note, NoteVerifierKey.Parse(PeterKey)).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void ADamagedSignatureByTheKey_RejectsTheNote()
    {
        var note = Text + "\n" + PeterSig[..60] + "ABCD" + PeterSig[60..];
        SignedNote.Verify(note, NoteVerifierKey.Parse(PeterKey)).Failure.ShouldBe(NoteFailure.InvalidSignature);

        // Even next to a valid one: a known key's signature that fails rejects the whole note.
        SignedNote.Verify(Text + "\n" + PeterSig + PeterSig[..60] + "ABCD" + PeterSig[60..], NoteVerifierKey.Parse(PeterKey))
            .Failure.ShouldBe(NoteFailure.InvalidSignature);
    }

    public static TheoryData<string> MalformedNotes => new()
    {
        // note_test.go's malformed messages.
        Text,
        Text + "\n",
        Text + "\n" + PeterSig[..^1],
        "\u0001" + Text + "\n" + PeterSig,
        Text + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        Text + "\n" + PeterSig + "Unexpected line.\n",
        // And more.
        Text + "\n" + PeterSig.Replace("—", "-", StringComparison.Ordinal),
        Text + "\n" + PeterSig.Replace("— ", "—", StringComparison.Ordinal),
        Text + "\n" + "— Peter+Neumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
        Text + "\n" + PeterSig.Replace("=\n", "\n", StringComparison.Ordinal),
        Text + "\n" + PeterSig.Replace("x08go", "x08g!", StringComparison.Ordinal),
        Text + "\n" + PeterSig.Replace("x08go", "x08g o", StringComparison.Ordinal),
        Text + "\n" + "— PeterNeumann AAAA\n",
        Text + "\n" + "— PeterNeumann \n",
        Text.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n" + PeterSig,
        Text + "\n" + string.Concat(Enumerable.Repeat(PeterSig, 101)),
    };

    [Theory]
    [MemberData(nameof(MalformedNotes))]
    public void MalformedNotes_AreRejected(string note)
    {
        var result = SignedNote.Verify(note, NoteVerifierKey.Parse(PeterKey));
        result.Failure.ShouldBe(NoteFailure.Malformed, result.Message);
        result.Text.ShouldBeNull();
    }

    [Fact]
    public void ALoneSurrogate_IsMalformed()
    {
        // Not in the theory above: xUnit would serialise it to U+FFFD.
        SignedNote.Verify("\ud800" + Text + "\n" + PeterSig, NoteVerifierKey.Parse(PeterKey)).Failure.ShouldBe(NoteFailure.Malformed);
    }

    [Fact]
    public void InvalidUtf8_IsMalformed()
    {
        byte[] note = [0xff, .. Encoding.UTF8.GetBytes(Text + "\n" + PeterSig)];
        SignedNote.Verify(note, NoteVerifierKey.Parse(PeterKey)).Failure.ShouldBe(NoteFailure.Malformed);
    }

    [Fact]
    public void A100SignatureNote_IsAccepted()
    {
        SignedNote.Verify(Text + "\n" + string.Concat(Enumerable.Repeat(PeterSig, 100)), NoteVerifierKey.Parse(PeterKey)).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void EverySubstringAndEveryIncrementedByteOfTheVerifierKey_IsRefused()
    {
        // As note_test.go's TestNewVerifier.
        for (var i = 0; i <= PeterKey.Length; i++)
        {
            for (var j = i + 1; j <= PeterKey.Length; j++)
            {
                if (i != 0 || j != PeterKey.Length)
                {
                    NoteVerifierKey.TryParse(PeterKey[i..j], out _, out _).ShouldBeFalse(PeterKey[i..j]);
                }
            }
        }

        var chars = PeterKey.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i]++;
            NoteVerifierKey.TryParse(new string(chars), out _, out _).ShouldBeFalse(new string(chars));
            chars[i]--;
        }

        // Wrong key length and unknown algorithm, each with a key hash adjusted to match.
        NoteVerifierKey.TryParse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", out _, out _).ShouldBeFalse();
        NoteVerifierKey.TryParse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", out _, out var error).ShouldBeFalse();
        error.ShouldContain("not Ed25519");
        NoteVerifierKey.TryParse("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", out _, out _).ShouldBeFalse("upper-case key hash");
        NoteVerifierKey.TryParse(PeterKey + "\n", out _, out _).ShouldBeFalse();
        NoteVerifierKey.TryParse(" " + PeterKey, out _, out _).ShouldBeFalse();
        Should.Throw<FormatException>(() => NoteVerifierKey.Parse("nonsense"));
    }

    [Fact]
    public void EverySubstringAndEveryIncrementedByteOfThePrivateKey_IsRefused()
    {
        for (var i = 0; i <= PeterPrivateKey.Length; i++)
        {
            for (var j = i + 1; j <= PeterPrivateKey.Length; j++)
            {
                var part = PeterPrivateKey[i..j];
                if ((i != 0 || j != PeterPrivateKey.Length) && part.Trim() == part)
                {
                    Should.Throw<FormatException>(() => NoteSigner.ImportPrivateKey(part), part);
                }
            }
        }

        var chars = PeterPrivateKey.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i]++;
            Should.Throw<FormatException>(() => NoteSigner.ImportPrivateKey(new string(chars)), new string(chars));
            chars[i]--;
        }
    }

    // ---- round trips and tampering ------------------------------------------------------------------------------

    [Fact]
    public void AGeneratedKey_SignsNotesItsVerifierKeyAccepts_AndSurvivesExportAndImport()
    {
        using var signer = NoteSigner.Generate("claimledger.local/test");
        var verifierKey = signer.VerifierKey.ToString();
        verifierKey.ShouldStartWith("claimledger.local/test+" + NoteKeys.FormatKeyHash(signer.KeyHash) + "+");
        var parsed = NoteVerifierKey.Parse(verifierKey);
        parsed.KeyHash.ShouldBe(signer.KeyHash);

        var note = SignedNote.Sign("hello\nworld\n", signer);
        var result = SignedNote.Verify(note, parsed);
        result.IsValid.ShouldBeTrue(result.ToString());
        result.Text.ShouldBe("hello\nworld\n");

        var exported = signer.ExportPrivateKey();
        exported.ShouldStartWith("PRIVATE+KEY+claimledger.local/test+");
        exported.ShouldNotContain("\n");
        using var imported = NoteSigner.ImportPrivateKey(exported + "\n");
        imported.VerifierKey.ToString().ShouldBe(verifierKey);
        SignedNote.Sign("hello\nworld\n", imported).ShouldBe(note);

        using var renamed = signer.WithName("claimledger.local/other");
        renamed.KeyHash.ShouldNotBe(signer.KeyHash);
        renamed.VerifierKey.PublicKey.ToArray().ShouldBe(signer.VerifierKey.PublicKey.ToArray());
        SignedNote.Verify(note, renamed.VerifierKey).Failure.ShouldBe(NoteFailure.NoSignatureByKey);
    }

    [Fact]
    public void AChangedByteAnywhereInTheTextOrSignature_IsRejected()
    {
        using var signer = NoteSigner.Generate("example.com/log");
        var text = "example.com/log\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        var note = SignedNote.Sign(text, signer);
        for (var i = 0; i < note.Length; i++)
        {
            if (note[i] is '\n' or '—')
            {
                continue;
            }

            var changed = note[..i] + (char)(note[i] ^ 1) + note[(i + 1)..];
            var result = SignedNote.Verify(changed, signer.VerifierKey);
            result.IsValid.ShouldBeFalse($"byte {i} changed: {changed}");
        }
    }

    [Fact]
    public void AnotherKeyWithTheSameName_OrAKeyHashCollision_DoesNotVerify()
    {
        using var log = NoteSigner.Generate("example.com/log");
        using var impostor = NoteSigner.Generate("example.com/log");
        var note = SignedNote.Sign("text\n", impostor);

        // Same name, different key hash: not the key, ignored.
        SignedNote.Verify(note, log.VerifierKey).Failure.ShouldBe(NoteFailure.NoSignatureByKey);

        // Same name and a key hash made to collide with the log's: the signature is checked, and fails.
        var colliding = "text\n\n" + SignedNote.SignatureLine("example.com/log", log.KeyHash, impostor.Sign("text\n"u8));
        SignedNote.Verify(colliding, log.VerifierKey).Failure.ShouldBe(NoteFailure.InvalidSignature);

        // The log's real key hash under another name: not the key, ignored.
        var otherName = "text\n\n" + SignedNote.SignatureLine("example.com/other", log.KeyHash, log.Sign("text\n"u8));
        SignedNote.Verify(otherName, log.VerifierKey).Failure.ShouldBe(NoteFailure.NoSignatureByKey);

        // And the genuine line next to them verifies.
        var genuine = SignedNote.Sign("text\n", log);
        SignedNote.Verify(otherName + genuine["text\n\n".Length..], log.VerifierKey).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void BadNamesAndTexts_AreRefused()
    {
        foreach (var name in new[] { "", "a b", "a+b", "a\tb", "a\u00a0b", "a\u2003b", "a\nb", "\ud800" })
        {
            NoteKeys.IsValidKeyName(name).ShouldBeFalse(name);
            Should.Throw<ArgumentException>(() => NoteSigner.Generate(name));
        }

        NoteKeys.IsValidKeyName("claimledger.local/0a1b2c3d").ShouldBeTrue();
        NoteKeys.IsValidKeyName("ü😀").ShouldBeTrue();

        using var signer = NoteSigner.Generate("example.com/log");
        Should.Throw<ArgumentException>(() => SignedNote.Sign("", signer));
        Should.Throw<ArgumentException>(() => SignedNote.Sign("no newline", signer));
        Should.Throw<ArgumentException>(() => SignedNote.Sign("tab\there\n", signer));
        Should.Throw<ArgumentException>(() => NoteSigner.FromSeed("x", new byte[31]));
    }
}
