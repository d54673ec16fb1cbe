// Command fleetsim simulates an Amazon ECS cluster from a scenario file and
// writes what it would cost, how full it was and how its services fared.
//
//	fleetsim run [-o DIR] [--seed N] [-q] [SCENARIO]   run a scenario (default: the library's default)
//	fleetsim validate SCENARIO...                       check scenarios without running them
//	fleetsim sweep SCENARIO --vary KEY=V1,V2 --seeds N   a parameter sweep, in parallel
//	fleetsim merge SHARD_DIR...                          join a sharded sweep
//	fleetsim compare [-o DIR] RUN_DIR RUN_DIR...         compare runs side by side
//	fleetsim list                                       list the shipped scenarios
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
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

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitBadInput
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "validate":
		return cmdValidate(args[1:], stdout, stderr)
	case "sweep":
		return cmdSweep(args[1:], stdout, stderr)
	case "merge":
		return cmdMerge(args[1:], stdout, stderr)
	case "compare":
		return cmdCompare(args[1:], stdout, stderr)
	case "list":
		return cmdList(stdout)
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "fleetsim: unknown command %q\n", args[0])
	usage(stderr)
	return exitBadInput
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  fleetsim run [-o DIR] [--seed N] [-q] [SCENARIO]   run a scenario: a library name or a .toml file
                                                     (default: the library's `+scenarios.DefaultName+`)
  fleetsim validate SCENARIO...                      check scenarios without running them
  fleetsim sweep [SCENARIO] --vary KEY=V1,V2 [--vary ...] [--seeds N] [-j N] [--shard I/N] [-o DIR] [-q]
                                                     run a grid of variants x seeds in parallel and compare them
  fleetsim merge [-o OUT] SHARD_DIR...               join the shards of a sweep
  fleetsim compare [-o DIR] RUN_DIR RUN_DIR...        two or more runs side by side, with deltas
  fleetsim list                                      list the shipped scenarios
`)
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

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "fleetsim validate: name at least one scenario")
		return exitBadInput
	}
	code := exitOK
	for _, a := range args {
		s, err := scenarios.Resolve(a)
		if err != nil {
			code = max(code, reportProblems(stderr, err))
			continue
		}
		fmt.Fprintf(stdout, "%s: ok (%s, %s simulated)\n", s.File, s.Config.Name, s.Config.Duration)
	}
	return code
}

func cmdList(stdout io.Writer) int {
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
