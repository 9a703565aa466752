using System.Globalization;
using System.Text;

namespace ClaimLedger.Server.Infrastructure.Search;

/// <summary>
/// A SearchClaims query in the API's search syntax — SQLite FTS5's query language: words, "phrases" (<c>""</c> is a
/// quote inside one), implicit AND, AND/OR/NOT (NOT binds tightest, then AND, then OR; NOT is binary: <c>a NOT b</c>),
/// prefix*, NEAR(a b [, N]), parentheses — parsed exactly as FTS5 parses it and translated to a PostgreSQL tsquery.
/// </summary>
/// <remarks>
/// <para>
/// <b>Validation.</b> <see cref="Parse"/> accepts exactly what FTS5 accepts and rejects the rest with FTS5's own
/// message, so a malformed query reads the same on both engines: <c>unterminated string</c>,
/// <c>fts5: syntax error near "X"</c> (X the first token that cannot continue the query, empty at its end),
/// <c>no such column: X</c>, <c>expected integer, got "X"</c>, <c>fts5: parser stack overflow</c> (FTS5's parser
/// holds at most 99 symbols: 98 nested parentheses are too many) and <c>unknown special query: X</c> (a query starting with
/// "*"). It mirrors FTS5's tokenizer (barewords are ASCII letters, digits, "_", \x1A and every non-ASCII character;
/// whitespace is space, tab, CR and LF; AND, OR, NOT and NEAR only in capitals), its grammar (an implicit AND joins
/// words, phrases and NEAR groups only, so <c>(a OR b) c</c> is an error) and the order in which its LALR parser
/// reports errors (a later token's tokenizer error wins over a NEAR group's or a column's check, which win over a
/// syntax error at that token); the unit tests hold it to the real FTS5. FTS5 stops reading at a NUL character, and
/// so does this parser. Column filters (<c>text:</c>, <c>{text claimant}:</c>, <c>-claimant:</c>) and <c>^</c> are FTS5
/// syntax the API does not document: they parse, but have no tsquery translation (<see cref="ToTsQuery"/>).
/// </para>
/// <para>
/// <b>Translation</b> (<see cref="ToTsQuery"/>), for <c>to_tsquery('simple', claimledger_unaccent(@Query))</c>, the same
/// functions that build claims.search_vector, so a query word and a claim word become the same lexemes (case and
/// accents folded): a word or phrase is split at ASCII whitespace into chunks, each a quoted tsquery operand
/// (PostgreSQL's parser splits a chunk such as <c>S-400</c> further, exactly as it split the claim), joined by
/// <c>&lt;-&gt;</c>; <c>*</c> makes the phrase's last chunk a prefix (<c>:*</c>); AND and the implicit AND are
/// <c>&amp;</c>, OR <c>|</c>, <c>a NOT b</c> <c>a &amp; !b</c>. <c>NEAR(a b, N)</c> — both within N tokens (default
/// 10) between the end of one and the start of the other, in either order — is <c>a &lt;d&gt; b | b &lt;d&gt; a</c> for
/// every d from 0 to N + 1 (exact, as far as the engines number tokens alike: PostgreSQL gives a hyphenated word's
/// whole and parts a position each, and numbers text and claimant as one sequence); with three or more phrases, every pair must be near (exact when each phrase occurs
/// once in the claim, otherwise possibly more matches than FTS5), and when that would take more than
/// <see cref="MaxNearAlternatives"/> alternatives the group is the AND of its phrases (more matches, never fewer). A
/// phrase without any token character (letter, digit, private use) matches nothing, as in FTS5: it vanishes from an
/// implicit AND, an OR, a NEAR group and the right of NOT, and makes an explicit AND match nothing. Operands are
/// quoted and escaped, never SQL: the tsquery text is a parameter.
/// </para>
/// </remarks>
public sealed class FullTextQuery
{
    /// <summary>The most alternatives a NEAR group may expand to before it becomes the AND of its phrases.</summary>
    public const int MaxNearAlternatives = 256;

    /// <summary>NEAR's distance when none is given, as in FTS5.</summary>
    public const int DefaultNearDistance = 10;

    private const string ColumnFilters = "column filters (such as text:) are not supported";
    private const string InitialToken = "^ (a match at the start of the text) is not supported";

    /// <summary>The FTS5 table's columns (claims_fts), which a column filter may name.</summary>
    private static readonly string[] Columns = ["text", "claimant"];

    private readonly Node _root;
    private readonly string? _unsupported;

    private FullTextQuery(Node root, string? unsupported)
    {
        _root = root;
        _unsupported = unsupported;
    }

    /// <summary>Parses <paramref name="query"/> as FTS5 would.</summary>
    /// <exception cref="FullTextSyntaxException">FTS5 would reject it; the message is FTS5's.</exception>
    public static FullTextQuery Parse(string query)
    {
        var text = UpToNul(query);
        ThrowIfSpecialQuery(text);
        var parser = new Parser(text);
        return new FullTextQuery(parser.ParseInput(), parser.Unsupported);
    }

    /// <summary>
    /// FTS5 reads a query that starts with "*" as a special query (<c>*reads</c>, <c>*id</c>: statistics, not a
    /// search), which SearchClaims does not offer: <c>unknown special query: X</c>, as FTS5 says of any other name.
    /// </summary>
    /// <exception cref="FullTextSyntaxException">The query is a special query.</exception>
    public static void ThrowIfSpecialQuery(string query)
    {
        var text = UpToNul(query);
        if (text.Length == 0 || text[0] != '*')
        {
            return;
        }

        var start = 1;
        while (start < text.Length && text[start] == ' ')
        {
            start++;
        }

        var end = text.IndexOf(' ', start);
        throw new FullTextSyntaxException("unknown special query: " + text[start..(end < 0 ? text.Length : end)]);
    }

    /// <summary>
    /// The tsquery text for <c>to_tsquery('simple', claimledger_unaccent(…))</c>, or null when the query can match
    /// nothing (it has no token characters where FTS5 needs some).
    /// </summary>
    /// <exception cref="FullTextSyntaxException">The query uses a column filter or <c>^</c>, which have no tsquery translation.</exception>
    public string? ToTsQuery()
    {
        if (_unsupported is not null)
        {
            throw new FullTextSyntaxException(_unsupported);
        }

        return Translate(_root);
    }

    /// <summary>
    /// Every word the query looks for (not those after NOT), as tsquery alternatives (<c>'a' | 'b':*</c>), for
    /// highlighting them in snippets; null when there are none.
    /// </summary>
    public string? HighlightTerms()
    {
        var operands = new List<string>();
        CollectPositive(_root, operands);
        var distinct = operands.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 0 ? null : string.Join(" | ", distinct);
    }

    private static string UpToNul(string query)
    {
        var nul = query.IndexOf('\0');
        return nul < 0 ? query : query[..nul];
    }

    // ---- Translation ----

    private static string? Translate(Node node) => node switch
    {
        PhraseNode phrase => Phrase(phrase),
        NearNode near => Near(near),
        AndNode { Implicit: true } and => Join(and.Children.Select(Translate).OfType<string>().ToList(), " & "),
        AndNode and => and.Children.Select(Translate).ToList() is var all && all.TrueForAll(c => c is not null) ? Join(all.Select(c => c!).ToList(), " & ") : null,
        OrNode or => Join(new[] { Translate(or.Left), Translate(or.Right) }.OfType<string>().ToList(), " | "),
        NotNode not => Translate(not.Left) is not { } left ? null : Translate(not.Right) is { } right ? $"({left} & !{right})" : left,
        _ => throw new InvalidOperationException("Unknown query node " + node.GetType().Name),
    };

    private static string? Join(IReadOnlyList<string> parts, string separator) => parts.Count switch
    {
        0 => null,
        1 => parts[0],
        _ => "(" + string.Join(separator, parts) + ")",
    };

    private static string? Phrase(PhraseNode phrase) =>
        Join(phrase.Chunks.Select(c => Operand(c.Text) + (c.Prefix ? ":*" : "")).ToList(), " <-> ");

    private static string? Near(NearNode near)
    {
        var phrases = near.Phrases.Select(Phrase).OfType<string>().ToList();
        if (phrases.Count <= 1)
        {
            // FTS5 drops phrases without tokens from a NEAR group; one phrase left has nothing to be near.
            return phrases.Count == 1 ? phrases[0] : null;
        }

        if (near.Distance < 0)
        {
            // A distance beyond int's range wraps in FTS5 as well; a negative one admits no two phrases.
            return null;
        }

        var pairs = phrases.Count * (phrases.Count - 1) / 2;
        if ((long)pairs * 2 * ((long)near.Distance + 2) > MaxNearAlternatives)
        {
            return Join(phrases, " & ");
        }

        var conditions = new List<string>(pairs);
        for (var i = 0; i < phrases.Count; i++)
        {
            for (var j = i + 1; j < phrases.Count; j++)
            {
                var alternatives = new List<string>(2 * (near.Distance + 2));
                for (var d = 0; d <= near.Distance + 1; d++)
                {
                    alternatives.Add($"{phrases[i]} <{d}> {phrases[j]}");
                    alternatives.Add($"{phrases[j]} <{d}> {phrases[i]}");
                }

                conditions.Add(Join(alternatives, " | ")!);
            }
        }

        return Join(conditions, " & ");
    }

    private static void CollectPositive(Node node, List<string> operands)
    {
        switch (node)
        {
            case PhraseNode phrase:
                operands.AddRange(phrase.Chunks.Select(c => Operand(c.Text) + (c.Prefix ? ":*" : "")));
                break;
            case NearNode near:
                near.Phrases.ToList().ForEach(p => CollectPositive(p, operands));
                break;
            case AndNode and:
                and.Children.ToList().ForEach(c => CollectPositive(c, operands));
                break;
            case OrNode or:
                CollectPositive(or.Left, operands);
                CollectPositive(or.Right, operands);
                break;
            case NotNode not:
                CollectPositive(not.Left, operands);
                break;
        }
    }

    /// <summary>
    /// A quoted tsquery operand. Every character but an ASCII letter or digit is escaped with a backslash, because
    /// claimledger_unaccent runs over the whole tsquery text and turns some characters into quotes or operators (’ into
    /// ', « into &lt;&lt;); combining marks are not escaped, because it removes them, and a backslash left before the
    /// closing quote would escape it.
    /// </summary>
    internal static string Operand(string chunk)
    {
        var builder = new StringBuilder(chunk.Length + 8).Append('\'');
        foreach (var rune in chunk.EnumerateRunes())
        {
            var isAsciiLetterOrDigit = rune.IsAscii && char.IsAsciiLetterOrDigit((char)rune.Value);
            var isMark = Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
            if (!isAsciiLetterOrDigit && !isMark)
            {
                builder.Append('\\');
            }

            builder.Append(rune.ToString());
        }

        return builder.Append('\'').ToString();
    }

    // ---- Syntax tree ----

    private abstract record Node;

    /// <summary>Chunks of text separated by whitespace, in order; none when the phrase has no token characters.</summary>
    private sealed record PhraseNode(IReadOnlyList<Chunk> Chunks) : Node;

    private sealed record NearNode(IReadOnlyList<PhraseNode> Phrases, int Distance) : Node;

    /// <summary>An explicit AND, or (<paramref name="Implicit"/>) words, phrases and NEAR groups side by side.</summary>
    private sealed record AndNode(IReadOnlyList<Node> Children, bool Implicit) : Node;

    private sealed record OrNode(Node Left, Node Right) : Node;

    private sealed record NotNode(Node Left, Node Right) : Node;

    private readonly record struct Chunk(string Text, bool Prefix);

    // ---- Tokenizer and parser ----

    private enum Kind
    {
        Eof,
        String,
        And,
        Or,
        Not,
        LeftParen,
        RightParen,
        LeftBrace,
        RightBrace,
        Colon,
        Comma,
        Plus,
        Star,
        Minus,
        Caret,
    }

    private readonly record struct Token(Kind Kind, int Start, int Length);

    /// <summary>
    /// A recursive-descent twin of FTS5's LALR grammar (fts5parse.y). It keeps count of the symbols FTS5's parser
    /// would hold on its stack (<see cref="Push"/>, <see cref="Reduce"/>), in the order FTS5 shifts and reduces, so
    /// that it reports a stack overflow, a semantic error or a syntax error exactly where FTS5 does.
    /// </summary>
    private sealed class Parser(string text)
    {
        /// <summary>FTS5's parser stack: YYSTACKDEPTH 100 entries, one of them the start state.</summary>
        private const int MaxSymbols = 99;

        private int _position;
        private Token? _lookahead;
        private int _depth;

        /// <summary>The first construct met that has no tsquery translation, if any.</summary>
        public string? Unsupported { get; private set; }

        public Node ParseInput()
        {
            var root = ParseExpression(0);
            var end = Peek();
            if (end.Kind != Kind.Eof)
            {
                throw SyntaxError(end);
            }

            return root;
        }

        // expr ::= expr OR expr | expr AND expr | expr NOT expr (%left OR < AND < NOT) | primary
        private Node ParseExpression(int minPrecedence)
        {
            var left = ParsePrimary();
            while (true)
            {
                var op = Peek();
                var precedence = op.Kind switch { Kind.Or => 1, Kind.And => 2, Kind.Not => 3, _ => 0 };
                if (precedence == 0 || precedence < minPrecedence)
                {
                    return left;
                }

                Shift();
                var right = ParseExpression(precedence + 1);
                Reduce(3);
                left = op.Kind switch
                {
                    Kind.Or => new OrNode(left, right),
                    Kind.And => new AndNode([left, right], Implicit: false),
                    _ => new NotNode(left, right),
                };
            }
        }

        // expr ::= LP expr RP | colset COLON LP expr RP | exprlist
        // (Reductions of one symbol to one leave the stack as deep as it was; they are not written out.)
        private Node ParsePrimary()
        {
            var token = Peek();
            switch (token.Kind)
            {
                case Kind.LeftParen:
                    Shift();
                    var inner = ParseExpression(0);
                    Expect(Kind.RightParen);
                    Reduce(3);
                    return inner;
                case Kind.String or Kind.Minus or Kind.LeftBrace or Kind.Caret:
                    return ParseExpressionList();
                default:
                    throw SyntaxError(token);
            }
        }

        // exprlist ::= cnearset | exprlist cnearset
        private Node ParseExpressionList()
        {
            var (first, isExpression) = ParseColumnNearSet(allowParentheses: true);
            if (isExpression)
            {
                return first;
            }

            var children = new List<Node> { first };
            while (Peek().Kind is Kind.String or Kind.Minus or Kind.LeftBrace or Kind.Caret)
            {
                children.Add(ParseColumnNearSet(allowParentheses: false).Node);
                Reduce(2);
            }

            return children.Count == 1 ? first : new AndNode(children, Implicit: true);
        }

        // cnearset ::= nearset | colset COLON nearset; at the start of an expression also colset COLON LP expr RP,
        // which is an expression (IsExpression), not a member of an implicit AND.
        private (Node Node, bool IsExpression) ParseColumnNearSet(bool allowParentheses)
        {
            var token = Peek();
            switch (token.Kind)
            {
                case Kind.Caret:
                    Shift();
                    Unsupported ??= InitialToken;
                    var phrase = ParsePhrase();
                    Reduce(2);
                    return (phrase, false);
                case Kind.Minus or Kind.LeftBrace:
                    ParseColumnSet();
                    Expect(Kind.Colon);
                    return ParseAfterColon(allowParentheses);
                case Kind.String:
                    Shift();
                    if (Peek().Kind == Kind.Colon)
                    {
                        // colset ::= STRING, reduced when the colon is seen.
                        CheckColumn(token);
                        Unsupported ??= ColumnFilters;
                        Shift();
                        return ParseAfterColon(allowParentheses);
                    }

                    return (ParseNearSetAfterString(token), false);
                default:
                    throw SyntaxError(token);
            }
        }

        private (Node Node, bool IsExpression) ParseAfterColon(bool allowParentheses)
        {
            var token = Peek();
            Node node;
            switch (token.Kind)
            {
                case Kind.LeftParen when allowParentheses:
                    Shift();
                    var inner = ParseExpression(0);
                    Expect(Kind.RightParen);
                    Reduce(5);
                    return (inner, true);
                case Kind.Caret:
                    Shift();
                    Unsupported ??= InitialToken;
                    node = ParsePhrase();
                    Reduce(2);
                    break;
                case Kind.String:
                    Shift();
                    node = ParseNearSetAfterString(token);
                    break;
                default:
                    throw SyntaxError(token);
            }

            Reduce(3);
            return (node, false);
        }

        // colset ::= STRING (see above) | MINUS STRING | LCP colsetlist RCP | MINUS LCP colsetlist RCP
        private void ParseColumnSet()
        {
            Unsupported ??= ColumnFilters;
            if (Shift().Kind == Kind.Minus)
            {
                var next = Peek();
                if (next.Kind == Kind.String)
                {
                    Shift();
                    Peek();
                    CheckColumn(next);
                    Reduce(2);
                    return;
                }

                if (next.Kind != Kind.LeftBrace)
                {
                    throw SyntaxError(next);
                }

                Shift();
                ParseColumnList();
                Expect(Kind.RightBrace);
                Reduce(4);
                return;
            }

            ParseColumnList();
            Expect(Kind.RightBrace);
            Reduce(3);
        }

        // colsetlist ::= STRING | colsetlist STRING; each name is checked once the token after it is read.
        private void ParseColumnList()
        {
            var first = Peek();
            if (first.Kind != Kind.String)
            {
                throw SyntaxError(first);
            }

            Shift();
            Peek();
            CheckColumn(first);
            while (Peek().Kind == Kind.String)
            {
                var name = Shift();
                Peek();
                CheckColumn(name);
                Reduce(2);
            }
        }

        // nearset ::= phrase | STRING LP nearphrases neardist_opt RP, the STRING already shifted.
        private Node ParseNearSetAfterString(Token first) =>
            Peek().Kind == Kind.LeftParen ? ParseNear(first) : ParsePhraseAfterString(first);

        private NearNode ParseNear(Token name)
        {
            Shift();
            var phrases = new List<PhraseNode> { ParsePhrase() };
            while (Peek().Kind == Kind.String)
            {
                phrases.Add(ParsePhrase());
                Reduce(2);
            }

            Token? distance = null;
            if (Peek().Kind == Kind.Comma)
            {
                Shift();
                var number = Peek();
                if (number.Kind != Kind.String)
                {
                    throw SyntaxError(number);
                }

                Shift();
                Reduce(2);
                distance = number;
            }
            else
            {
                Reduce(0);
            }

            Expect(Kind.RightParen);
            // FTS5 reduces the group (and checks its name and distance) once it has read the token after it.
            Peek();
            if (Text(name) != "NEAR")
            {
                throw SyntaxError(name);
            }

            var near = new NearNode(phrases, distance is { } d ? Distance(d) : DefaultNearDistance);
            Reduce(5);
            return near;
        }

        private PhraseNode ParsePhrase()
        {
            var first = Peek();
            if (first.Kind != Kind.String)
            {
                throw SyntaxError(first);
            }

            Shift();
            return ParsePhraseAfterString(first);
        }

        // phrase ::= STRING star_opt | phrase PLUS STRING star_opt, the first STRING already shifted.
        private PhraseNode ParsePhraseAfterString(Token first)
        {
            var chunks = new List<Chunk>();
            AddPart(chunks, Value(first), ParseStar());
            Reduce(2);
            while (Peek().Kind == Kind.Plus)
            {
                Shift();
                var next = Peek();
                if (next.Kind != Kind.String)
                {
                    throw SyntaxError(next);
                }

                Shift();
                AddPart(chunks, Value(next), ParseStar());
                Reduce(4);
            }

            return new PhraseNode(chunks);
        }

        // star_opt ::= STAR | (empty)
        private bool ParseStar()
        {
            if (Peek().Kind == Kind.Star)
            {
                Shift();
                return true;
            }

            Reduce(0);
            return false;
        }

        /// <summary>
        /// Appends a string's chunks (split at ASCII whitespace and control characters, those without any token
        /// character dropped) to a phrase; a star marks the phrase's last chunk so far, as FTS5 marks its last token.
        /// </summary>
        private static void AddPart(List<Chunk> chunks, string value, bool prefix)
        {
            foreach (var chunk in value.Split(ControlOrSpace, StringSplitOptions.RemoveEmptyEntries))
            {
                if (HasTokenCharacter(chunk))
                {
                    chunks.Add(new Chunk(chunk, false));
                }
            }

            if (prefix && chunks.Count > 0)
            {
                chunks[^1] = chunks[^1] with { Prefix = true };
            }
        }

        private static readonly char[] ControlOrSpace = Enumerable.Range(0, 33).Select(c => (char)c).ToArray();

        /// <summary>FTS5's unicode61 tokenizer keeps letters, numbers and private-use characters (L*, N*, Co).</summary>
        private static bool HasTokenCharacter(string chunk)
        {
            foreach (var rune in chunk.EnumerateRunes())
            {
                switch (Rune.GetUnicodeCategory(rune))
                {
                    case UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                        or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                        or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                        or UnicodeCategory.PrivateUse:
                        return true;
                }
            }

            return false;
        }

        /// <summary>FTS5's distance: decimal digits accumulated in a C int, which wraps.</summary>
        private int Distance(Token token)
        {
            var raw = Text(token);
            var value = 0;
            foreach (var c in raw)
            {
                if (c is < '0' or > '9')
                {
                    throw new FullTextSyntaxException($"expected integer, got \"{raw}\"");
                }

                value = unchecked((value * 10) + (c - '0'));
            }

            return value;
        }

        private void CheckColumn(Token token)
        {
            var name = Value(token);
            if (!Columns.Any(c => AsciiEqualsIgnoreCase(c, name)))
            {
                throw new FullTextSyntaxException("no such column: " + name);
            }
        }

        private static bool AsciiEqualsIgnoreCase(string a, string b) =>
            a.Length == b.Length && a.Zip(b).All(p => p.First == p.Second || (char.IsAsciiLetter(p.First) && char.IsAsciiLetter(p.Second) && (p.First | 0x20) == (p.Second | 0x20)));

        private void Expect(Kind kind)
        {
            var token = Peek();
            if (token.Kind != kind)
            {
                throw SyntaxError(token);
            }

            Shift();
        }

        private Token Shift()
        {
            var token = Peek();
            Push();
            _lookahead = null;
            return token;
        }

        /// <summary>A symbol goes onto FTS5's parser stack (a shifted token, or an empty rule's reduction).</summary>
        private void Push()
        {
            if (_depth >= MaxSymbols)
            {
                throw new FullTextSyntaxException("fts5: parser stack overflow");
            }

            _depth++;
        }

        /// <summary>FTS5 reduces a rule of <paramref name="symbols"/> symbols to one.</summary>
        private void Reduce(int symbols)
        {
            if (symbols == 0)
            {
                Push();
            }
            else
            {
                _depth -= symbols - 1;
            }
        }

        private FullTextSyntaxException SyntaxError(Token token) => new($"fts5: syntax error near \"{Text(token)}\"");

        private string Text(Token token) => text.Substring(token.Start, token.Length);

        /// <summary>A string token's text: a bareword as it is, a quoted string without its quotes and with "" as ".</summary>
        private string Value(Token token)
        {
            var raw = Text(token);
            return raw.StartsWith('"') ? raw[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : raw;
        }

        private Token Peek() => _lookahead ??= Lex();

        // fts5ExprGetToken.
        private Token Lex()
        {
            while (_position < text.Length && text[_position] is ' ' or '\t' or '\n' or '\r')
            {
                _position++;
            }

            var start = _position;
            if (start == text.Length)
            {
                return new Token(Kind.Eof, start, 0);
            }

            var c = text[start];
            Kind? single = c switch
            {
                '(' => Kind.LeftParen,
                ')' => Kind.RightParen,
                '{' => Kind.LeftBrace,
                '}' => Kind.RightBrace,
                ':' => Kind.Colon,
                ',' => Kind.Comma,
                '+' => Kind.Plus,
                '*' => Kind.Star,
                '-' => Kind.Minus,
                '^' => Kind.Caret,
                _ => null,
            };
            if (single is { } kindOfSingle)
            {
                _position++;
                return new Token(kindOfSingle, start, 1);
            }

            if (c == '"')
            {
                var end = start + 1;
                while (true)
                {
                    if (end == text.Length)
                    {
                        throw new FullTextSyntaxException("unterminated string");
                    }

                    if (text[end] == '"')
                    {
                        if (end + 1 < text.Length && text[end + 1] == '"')
                        {
                            end += 2;
                            continue;
                        }

                        end++;
                        break;
                    }

                    end++;
                }

                _position = end;
                return new Token(Kind.String, start, end - start);
            }

            if (!IsBareword(c))
            {
                throw new FullTextSyntaxException($"fts5: syntax error near \"{c}\"");
            }

            while (_position < text.Length && IsBareword(text[_position]))
            {
                _position++;
            }

            var length = _position - start;
            var kind = text.AsSpan(start, length) switch
            {
                "OR" => Kind.Or,
                "AND" => Kind.And,
                "NOT" => Kind.Not,
                _ => Kind.String,
            };
            return new Token(kind, start, length);
        }

        /// <summary>sqlite3Fts5IsBareword: every non-ASCII character, ASCII letters and digits, "_" and \x1A.</summary>
        private static bool IsBareword(char c) => c >= 0x80 || char.IsAsciiLetterOrDigit(c) || c is '_' or '\x1A';
    }
}
