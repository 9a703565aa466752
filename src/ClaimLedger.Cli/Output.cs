using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Grpc.Core;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ClaimLedger.Cli;

/// <summary>How results are printed: tables for people, tab-separated records for scripts, or the API's JSON.</summary>
public enum OutputMode
{
    /// <summary>Spectre tables (rounded on a terminal, plain text when piped) and name/value views.</summary>
    Table,

    /// <summary>--plain: one record per line, fields separated by tabs, the resource name first; no header, nothing cut short.</summary>
    Plain,

    /// <summary>--json: protobuf JSON for API messages.</summary>
    Json,
}

/// <summary>
/// A table column. <paramref name="Optional"/> 0: always shown. Otherwise the column may be left out when the terminal
/// is too narrow to give the others a readable width, the highest numbers first (equal ones right to left). Names are
/// never narrowed: they are the handles every other command takes.
/// </summary>
public sealed record Column(string Header, int Optional = 0);

/// <summary>Human output (Spectre tables, plain when piped), --plain records for scripts, or --json (protobuf JSON for API messages).</summary>
public sealed partial class Output
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithIndentation());

    /// <summary>Width given to tables when stdout is not a terminal (logs, pipes into less).</summary>
    public const int PipedWidth = 200;

    public Output(CliEnvironment env, bool json)
        : this(env, json ? OutputMode.Json : OutputMode.Table)
    {
    }

    public Output(CliEnvironment env, OutputMode mode)
    {
        Env = env;
        Mode = mode;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(env.Out),
            Ansi = env.IsInteractive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = env.IsInteractive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = env.IsInteractive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (env.Width is { } width)
        {
            Console.Profile.Width = width;
        }
        else if (!env.IsInteractive)
        {
            Console.Profile.Width = PipedWidth;
        }
    }

    public CliEnvironment Env { get; }

    public OutputMode Mode { get; }

    public bool Json => Mode == OutputMode.Json;

    public bool Plain => Mode == OutputMode.Plain;

    public IAnsiConsole Console { get; }

    /// <summary>Prints an API message: JSON with --json, otherwise <paramref name="human"/>.</summary>
    public void Message(IMessage message, Action human)
    {
        if (Json)
        {
            Env.Out.WriteLine(Formatter.Format(message));
        }
        else
        {
            human();
        }
    }

    /// <summary>Prints a plain object (for results that are not one API message) as JSON or via <paramref name="human"/>.</summary>
    public void Value(object value, Action human)
    {
        if (Json)
        {
            Env.Out.WriteLine(JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            human();
        }
    }

    public void Line(string text) => Env.Out.WriteLine(text);

    /// <summary>
    /// A remark about the result rather than part of it ("No claims found.", the next page token): on stdout for people,
    /// on stderr with --plain so that stdout holds records only.
    /// </summary>
    public void Note(string text) => (Plain ? Env.Error : Env.Out).WriteLine(text);

    /// <summary>In tables, <paramref name="text"/> cut to <paramref name="max"/> characters; in --plain records, all of it.</summary>
    public string Clip(string text, int max) => Plain ? text : Format.Short(text, max);

    /// <summary>
    /// A table with the given columns; rows are escaped. With no rows, <paramref name="empty"/> (if any) instead of a
    /// header-only table. On a narrow terminal the columns right of the first column of names may be left out, right to left.
    /// </summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? empty = null)
    {
        var all = rows.ToList();
        var firstNames = Enumerable.Range(0, headers.Count).FirstOrDefault(i => TableLayout.IsNameColumn(all.Select(r => i < r.Count ? r[i] : "")), headers.Count);
        Table(headers.Select((h, i) => new Column(h, i > firstNames ? 1 : 0)).ToList(), all, empty);
    }

    /// <summary>
    /// A table, or with --plain one tab-separated line per row. Columns of resource names never wrap; when the table is
    /// wider than the terminal, the other columns wrap into what is left and optional columns are left out if needed.
    /// </summary>
    public void Table(IReadOnlyList<Column> columns, IEnumerable<IReadOnlyList<string>> rows, string? empty = null)
    {
        var all = rows.ToList();
        if (all.Count == 0)
        {
            if (empty is not null)
            {
                Note(empty);
            }

            return;
        }

        if (Plain)
        {
            foreach (var row in all)
            {
                Env.Out.WriteLine(Record(row));
            }

            return;
        }

        var layout = TableLayout.Fit(columns, all, Console.Profile.Width);
        if (layout.Stacked)
        {
            Stacked(columns, all, layout.Names);
            return;
        }

        var table = new Table().Border(Env.IsInteractive ? TableBorder.Rounded : TableBorder.Simple);
        foreach (var (index, width) in layout.Columns)
        {
            var column = new TableColumn(Markup.Escape(columns[index].Header));
            if (layout.Names.Contains(index))
            {
                column.NoWrap();
            }

            if (width is { } w)
            {
                column.Width(w);
            }

            table.AddColumn(column);
        }

        foreach (var row in all)
        {
            table.AddRow(layout.Columns.Select(c => (IRenderable)new Text(c.Index < row.Count ? row[c.Index] : "")).ToArray());
        }

        Console.Write(table);
        if (layout.Hidden.Count > 0)
        {
            // Through Spectre, so that the note wraps at the terminal's width like the table.
            Console.Write(new Text($"(left out at this width: {string.Join(", ", layout.Hidden.Select(i => columns[i].Header))}; --plain or --json show all)\n"));
        }
    }

    /// <summary>
    /// Rows a table cannot show readably on this terminal (the names take nearly all of it): each row as its first name
    /// on a line of its own, then its other non-empty cells as "Header  value" lines, a blank line between rows.
    /// </summary>
    private void Stacked(IReadOnlyList<Column> columns, IReadOnlyList<IReadOnlyList<string>> rows, IReadOnlySet<int> names)
    {
        var title = names.Count > 0 ? names.Min() : 0;
        var width = columns.Where((_, i) => i != title).Select(c => c.Header.Length).DefaultIfEmpty(0).Max();
        for (var r = 0; r < rows.Count; r++)
        {
            if (r > 0)
            {
                Line("");
            }

            Line(rows[r][title]);
            for (var i = 0; i < columns.Count; i++)
            {
                if (i != title && i < rows[r].Count && rows[r][i].Length > 0)
                {
                    Line($"  {columns[i].Header.PadRight(width)}  {rows[r][i].Replace("\n", "\n    " + new string(' ', width), StringComparison.Ordinal)}");
                }
            }
        }
    }

    /// <summary>
    /// Name/value pairs of one resource: a two-column table of the non-empty ones, or with --plain one tab-separated
    /// record of all of them in this order (empty ones too, so every field keeps its position).
    /// </summary>
    public void Fields(IEnumerable<(string Name, string Value)> fields)
    {
        var list = fields.ToList();
        if (Plain)
        {
            Env.Out.WriteLine(Record(list.Select(f => f.Value).ToList()));
            return;
        }

        Table(["Field", "Value"], list.Where(f => f.Value.Length > 0).Select(f => (IReadOnlyList<string>)[f.Name, f.Value]));
    }

    /// <summary>
    /// Runs <paramref name="work"/> with a spinner on a terminal that can animate one (it is erased when done); silently
    /// when piped, with --json or with --plain.
    /// </summary>
    public async Task<T> ProgressAsync<T>(string what, Func<Task<T>> work)
    {
        if (!Env.IsInteractive || Json || Plain || !Console.Profile.Capabilities.Interactive)
        {
            return await work();
        }

        return await Console.Status().StartAsync(what, _ => work());
    }

    /// <summary>A server error in the CLI's words (see <see cref="ErrorMessages"/>), each part once, on stderr.</summary>
    public void Error(RpcException e, ErrorContext? context = null)
    {
        foreach (var line in ErrorMessages.Describe(e, context ?? ErrorContext.Unknown))
        {
            Env.Error.WriteLine(line);
        }
    }

    /// <summary>One --plain line: cells joined by tabs; tabs and line breaks inside a cell become "; " so a record stays one line.</summary>
    private static string Record(IReadOnlyList<string> cells) =>
        string.Join('\t', cells.Select(c => LineBreaks().Replace(c.Trim(), "; ")));

    [GeneratedRegex(@"[ \t]*(\r\n|\r|\n|\t)[ \t]*")]
    private static partial Regex LineBreaks();
}

/// <summary>
/// Which columns a table shows and how wide: names at their full width (never wrapped), the rest sharing what is left,
/// narrowest first, so short columns (statuses, kinds) stay whole and long text wraps; optional columns left out while
/// the rest would be unreadably narrow; and when even that is not enough, no table but a record per row (Stacked).
/// </summary>
internal sealed partial record TableLayout(IReadOnlyList<(int Index, int? Width)> Columns, IReadOnlySet<int> Names, IReadOnlyList<int> Hidden, bool Stacked = false)
{
    /// <summary>The narrowest a column that is neither a name nor optional may get before optional columns are left out (with none left, rows are stacked).</summary>
    private const int ReadableWidth = 16;

    /// <summary>Lays out <paramref name="columns"/> for a console <paramref name="width"/> cells wide (rounded or simple border, padding 1).</summary>
    public static TableLayout Fit(IReadOnlyList<Column> columns, IReadOnlyList<IReadOnlyList<string>> rows, int width)
    {
        string Cell(IReadOnlyList<string> row, int i) => i < row.Count ? row[i] : "";
        var natural = columns.Select((c, i) => rows.Select(r => Measure(Cell(r, i))).Append(Measure(c.Header)).Max()).ToArray();
        var names = Enumerable.Range(0, columns.Count).Where(i => IsNameColumn(rows.Select(r => Cell(r, i)))).ToHashSet();
        var visible = Enumerable.Range(0, columns.Count).ToList();
        var hidden = new List<int>();
        while (true)
        {
            // Border edges (2), one separator between columns, one cell of padding either side of each column.
            var available = width - (3 * visible.Count + 1);
            if (visible.Sum(i => natural[i]) <= available)
            {
                return new TableLayout(visible.Select(i => (i, (int?)null)).ToList(), names, hidden);
            }

            var others = visible.Where(i => !names.Contains(i)).ToList();
            var room = available - visible.Where(names.Contains).Sum(i => natural[i]);
            var left = room;
            var widths = new Dictionary<int, int>();
            var byWidth = others.OrderBy(i => natural[i]).ToList();
            for (var k = 0; k < byWidth.Count; k++)
            {
                var share = Math.Max(1, left / (byWidth.Count - k));
                widths[byWidth[k]] = Math.Min(natural[byWidth[k]], share);
                left -= widths[byWidth[k]];
            }

            var readable = others.All(i => columns[i].Optional > 0 || widths[i] >= Math.Min(natural[i], ReadableWidth));
            var optional = visible.Where(i => columns[i].Optional > 0).OrderByDescending(i => columns[i].Optional).ThenByDescending(i => i).FirstOrDefault(-1);
            if (optional < 0 && (room < others.Count || !readable))
            {
                // Nothing left to leave out, and the names leave too little room (or none) for the rest: a record per row.
                return new TableLayout([], names, [], Stacked: true);
            }

            if (readable || optional < 0)
            {
                return new TableLayout(visible.Select(i => (i, names.Contains(i) ? natural[i] : (int?)widths[i])).ToList(), names, hidden);
            }

            visible.Remove(optional);
            hidden.Add(optional);
            hidden.Sort();
        }
    }

    /// <summary>A column of resource names (claims/…, sources/…, claims/…/evidence/…): at least one, and no cell with spaces.</summary>
    public static bool IsNameColumn(IEnumerable<string> cells)
    {
        var any = false;
        foreach (var cell in cells)
        {
            if (cell.Any(char.IsWhiteSpace) && !cell.Split('\n').All(l => ResourceName().IsMatch(l.Trim())))
            {
                return false;
            }

            any |= cell.Split('\n').Any(l => ResourceName().IsMatch(l.Trim()));
        }

        return any;
    }

    /// <summary>The widest line of <paramref name="text"/> in terminal cells.</summary>
    private static int Measure(string text) => text.Split('\n').Max(l => new Segment(l).CellCount());

    [GeneratedRegex("^[a-z][A-Za-z]*/[0-9a-f]{32}(/[a-z][A-Za-z]*/[0-9a-f]{32})*$")]
    private static partial Regex ResourceName();
}
