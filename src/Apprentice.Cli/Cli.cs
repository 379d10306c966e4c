using System.CommandLine;
using Apprentice.Cli.Commands;
using Apprentice.Data;
using Apprentice.Tensors.Serialization;
using Spectre.Console;

namespace Apprentice.Cli;

/// <summary>Exit codes of the <c>apprentice</c> tool.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>An unexpected failure (a bug): message and a hint to rerun with --debug.</summary>
    public const int Failure = 1;
    /// <summary>Bad input: a wrong argument, a missing or malformed file. One clear line says what and where.</summary>
    public const int BadInput = 2;
}

/// <summary>A problem with what the user asked for, reported as one line without a stack trace.</summary>
public sealed class CliException(string message) : Exception(message);

/// <summary>The <c>apprentice</c> command line: declares the commands and turns failures into clear messages and exit codes.</summary>
public static class Cli
{
    /// <summary>Shows stack traces of unexpected errors.</summary>
    public static readonly Option<bool> Debug = new("--debug") { Description = "Show the full stack trace of unexpected errors.", Recursive = true };

    /// <summary>Parses <paramref name="args"/>, runs the command and returns its exit code; all output goes to <paramref name="console"/>.</summary>
    public static int Run(string[] args, IAnsiConsole console, TextWriter? errors = null)
    {
        var root = new RootCommand("Apprentice: imitation learning for .NET. Teach agents from demonstrations; see why behaviour cloning fails and how DAgger fixes it.")
        {
            Debug,
            CompareCommand.Create(console),
            CollectCommand.Create(console),
            TrainCommand.Create(console),
            EvalCommand.Create(console),
            EnvsCommand.Create(console),
            ExpertsCommand.Create(console),
            BenchmarkCommand.Create(console),
        };
        var parsed = root.Parse(args);
        bool debug = parsed.GetValue(Debug);
        var output = new ConsoleWriter(console);
        if (parsed.Errors.Count > 0 && args.Length > 0)
        {
            // Bad arguments are bad input: say what is wrong in one line each, point at --help, exit 2.
            foreach (var error in parsed.Errors) console.MarkupLineInterpolated($"[red]Error:[/] {error.Message}");
            console.MarkupLine("[grey]Run 'apprentice --help' (or 'apprentice <command> --help') for usage.[/]");
            return ExitCodes.BadInput;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = output, Error = errors ?? output });
        }
        catch (Exception e) when (IsBadInput(e))
        {
            console.MarkupLineInterpolated($"[red]Error:[/] {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e)
        {
            console.MarkupLineInterpolated($"[red]Unexpected error ({e.GetType().Name}):[/] {e.Message}");
            if (debug) console.WriteLine(e.ToString());
            else console.MarkupLine("[grey]Run again with --debug for the stack trace, and please report it.[/]");
            return ExitCodes.Failure;
        }
    }

    private static bool IsBadInput(Exception e) => e is CliException or DatasetFormatException or SafeTensorsFormatException
        or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or KeyNotFoundException or UnauthorizedAccessException
        or ArgumentException;

    /// <summary>System.CommandLine writes help and parse errors through a TextWriter; send them to the console.</summary>
    private sealed class ConsoleWriter(IAnsiConsole console) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
        public override void Write(char value) => console.Write(value.ToString());
        public override void Write(string? value) { if (value is not null) console.Write(new Text(value)); }
        public override void WriteLine(string? value) => console.WriteLine(value ?? "");
    }
}
