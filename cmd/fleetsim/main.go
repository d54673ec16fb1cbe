// Command fleetsim simulates an Amazon ECS cluster from a scenario file and
// writes what it would cost, how full it was and how its services fared.
//
//	fleetsim run [-o DIR] [--seed N] [-q] [SCENARIO]     run a scenario (default: the library's default)
//	fleetsim validate SCENARIO...                         check scenarios without running them
//	fleetsim sweep [SCENARIO] --vary KEY=V1,V2 --seeds N   a parameter sweep, in parallel
//	fleetsim merge SHARD_DIR...                            join a sharded sweep
//	fleetsim compare [-o DIR] RUN_DIR RUN_DIR...           compare runs side by side
//	fleetsim list                                         list the shipped scenarios
//	fleetsim show [--list | --file PATH | -o DIR] NAME    print a shipped scenario (and its files)
//	fleetsim import [-o DIR] FILE...                      AWS CLI JSON into a scenario and its files
//	fleetsim version                                      print the build's version
//
// Every command takes -h or --help (exit 0); fleetsim help COMMAND says the
// same.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	_ "time/tzdata" // IANA zones on machines without zone files

	"github.com/fleetsim/fleetsim/scenarios"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailure  = 1 // the run itself failed
	exitBadInput = 2 // bad flags or a bad scenario: nothing was written
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is a subcommand: its name, its line in the overview and what it
// runs. Each command's own usage (what --help prints) lives with it.
type command struct {
	name, line string
	run        func(args []string, stdout, stderr io.Writer) int
}

// commands are the subcommands, in the order the overview lists them.
func commands() []command {
	return []command{
		{"run", "run [-o DIR] [--seed N] [-q] [SCENARIO]     run a scenario: a library name or a .toml file\n" +
			"                                                      (default: the library's " + scenarios.DefaultName + ")", cmdRun},
		{"validate", "validate SCENARIO...                         check scenarios without running them", cmdValidate},
		{"sweep", "sweep [SCENARIO] --vary KEY=V1,V2 [--vary ...] [--seeds N] [-j N] [--shard I/N] [-o DIR] [-q]\n" +
			"                                                      run a grid of variants x seeds in parallel and compare them", cmdSweep},
		{"merge", "merge [-o OUT] SHARD_DIR...                  join the shards of a sweep", cmdMerge},
		{"compare", "compare [-o DIR] RUN_DIR RUN_DIR...          two or more runs side by side, with deltas", cmdCompare},
		{"list", "list                                         list the shipped scenarios", cmdList},
		{"show", "show [--list | --file PATH | -o DIR] NAME    print a shipped scenario's TOML, or write it and its files to DIR", cmdShow},
		{"import", "import [-o DIR] FILE...                      turn AWS CLI JSON (describe-services, -task-definition, ...) into a scenario", cmdImport},
		{"version", "version                                      print fleetsim's version and the Go it was built with", cmdVersion},
		{"help", "help [COMMAND]                               this overview, or a command's usage", nil},
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitBadInput
	}
	switch args[0] {
	case "help", "-h", "--help":
		return cmdHelp(args[1:], stdout, stderr)
	case "--version":
		return cmdVersion(nil, stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == args[0] && c.run != nil {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "fleetsim: unknown command %q\n", args[0])
	usage(stderr)
	return exitBadInput
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage:")
	for _, c := range commands() {
		fmt.Fprintln(w, "  fleetsim "+c.line)
	}
	fmt.Fprintln(w, "Run fleetsim COMMAND --help (or fleetsim help COMMAND) for a command's arguments and flags.")
}

// cmdHelp prints the overview, or a command's usage as its --help does.
func cmdHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] && c.run != nil {
			return c.run([]string{"--help"}, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "fleetsim help: unknown command %q\n", args[0])
	usage(stderr)
	return exitBadInput
}

// newFlagSet is a command's flag set. synopsis is the command's usage, the
// line naming its positional arguments and what it does; parseArgs prints
// it with the flags.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr) // flag's own message about a bad flag
	fs.Usage = func() {} // parseArgs prints the usage: on stdout for --help
	return fs
}

// parseArgs parses flags wherever they appear among the positional
// arguments (fleetsim run NAME -o DIR as well as fleetsim run -o DIR NAME).
// On -h or --help it prints the synopsis and the flags on stdout and
// returns done with exitOK; on a bad flag, flag's message, the synopsis and
// the flags on stderr, and done with exitBadInput.
func parseArgs(fs *flag.FlagSet, synopsis string, args []string, stdout, stderr io.Writer) (pos []string, code int, done bool) {
	pos, err := parseInterleaved(fs, args)
	if err == nil {
		return pos, exitOK, false
	}
	w, code := stderr, exitBadInput
	if errors.Is(err, flag.ErrHelp) {
		w, code = stdout, exitOK
	}
	printUsage(fs, synopsis, w)
	return nil, code, true
}

// printUsage writes a command's synopsis and its flags, if it has any.
func printUsage(fs *flag.FlagSet, synopsis string, w io.Writer) {
	fmt.Fprint(w, synopsis)
	has := false
	fs.VisitAll(func(*flag.Flag) { has = true })
	if has {
		fmt.Fprintln(w, "flags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// noArgs is a command that takes no positional argument: it refuses any.
func noArgs(name string, pos []string, synopsis string, stderr io.Writer) int {
	if len(pos) == 0 {
		return exitOK
	}
	fmt.Fprintf(stderr, "fleetsim %s: takes no arguments, found %s\n", name, strings.Join(pos, " "))
	fmt.Fprint(stderr, synopsis)
	return exitBadInput
}

// reportProblems prints a scenario's problems, one a line, and returns the
// exit code for bad input; other errors are run failures.
func reportProblems(stderr io.Writer, err error) int {
	var ps scenarios.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Fprintln(stderr, p.Error())
		}
		fmt.Fprintf(stderr, "fleetsim: %d problem(s); nothing was run or written\n", len(ps))
		return exitBadInput
	}
	fmt.Fprintln(stderr, "fleetsim:", err)
	return exitFailure
}

const validateUsage = `usage: fleetsim validate SCENARIO...
  Checks each SCENARIO, a library scenario's name (fleetsim list) or a .toml
  file, as fleetsim run would, without running it: "ok" with its name and
  duration, or every problem with its file, line and key. Warnings (fields
  AWS accepts that fleetsim does not model, quotas passed) are printed;
  --strict makes them problems. Exit 2 if any scenario has a problem.
`

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate", stderr)
	strict := fs.Bool("strict", false, "treat warnings as problems")
	pos, code, done := parseArgs(fs, validateUsage, args, stdout, stderr)
	if done {
		return code
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "fleetsim validate: name at least one scenario")
		fmt.Fprint(stderr, validateUsage)
		return exitBadInput
	}
	for _, a := range pos {
		s, err := scenarios.Resolve(a)
		if err == nil && *strict && len(s.Warnings) > 0 {
			err = s.Warnings
		}
		if err != nil {
			code = max(code, reportProblems(stderr, err))
			continue
		}
		printWarnings(stderr, s.Warnings)
		fmt.Fprintf(stdout, "%s: ok (%s, %s simulated)\n", s.File, s.Config.Name, s.Config.Duration)
	}
	return code
}

const listUsage = `usage: fleetsim list
  Lists the scenarios shipped in the binary, each with what it shows; the one
  marked * is what fleetsim run runs without a SCENARIO. fleetsim show NAME
  prints one.
`

func cmdList(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("list", stderr)
	pos, code, done := parseArgs(fs, listUsage, args, stdout, stderr)
	if done {
		return code
	}
	if code := noArgs("list", pos, listUsage, stderr); code != exitOK {
		return code
	}
	for _, e := range scenarios.Library() {
		marker := " "
		if e.Name == scenarios.DefaultName {
			marker = "*"
		}
		fmt.Fprintf(stdout, "%s %-28s %s\n", marker, e.Name, e.Description)
	}
	fmt.Fprintln(stdout, "(* runs when `fleetsim run` is given no scenario)")
	return exitOK
}
