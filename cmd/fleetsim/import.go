package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/scenarios/awsimport"
)

const importUsage = `usage: fleetsim import [-o DIR] FILE...
  Turns AWS CLI JSON outputs, in any order, into a scenario: DIR/scenario.toml
  with its task definitions (DIR/taskdefs/*.json) and the CloudWatch series as
  a load trace (DIR/traces/load.csv). Each FILE is found by its top-level key:
    aws ecs describe-clusters --clusters C --include ATTACHMENTS SETTINGS
    aws ecs describe-services --cluster C --services S...
    aws ecs describe-task-definition --task-definition FAMILY:REVISION (one a file)
    aws ecs describe-capacity-providers
    aws ecs describe-container-instances --cluster C --container-instances ...
    aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names G...
    aws application-autoscaling describe-scalable-targets --service-namespace ecs
    aws application-autoscaling describe-scaling-policies --service-namespace ecs
    aws application-autoscaling describe-scheduled-actions --service-namespace ecs
    aws cloudwatch describe-alarms --alarm-names A... (the step policies' alarms)
    aws cloudwatch get-metric-data ... or get-metric-statistics ... (the load)
  Every field not imported is a comment in scenario.toml; configuration that
  fleetsim does not model, and every assumption, is also a warning here. The
  scenario is checked as fleetsim validate would before anything is written.
  Exit 2 on bad input (every problem with its file and line), with nothing
  written; DIR must not hold any of the files.
`

func cmdImport(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("import", stderr)
	out := flags.String("o", "imported", "the folder to write scenario.toml and its files into")
	pos, code, done := parseArgs(flags, importUsage, args, stdout, stderr)
	if done {
		return code
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "fleetsim import: name at least one AWS CLI output file")
		fmt.Fprint(stderr, importUsage)
		return exitBadInput
	}
	var inputs []awsimport.Input
	var probs scenarios.Problems
	for _, name := range pos {
		b, err := readInput(name)
		if err != nil {
			probs = append(probs, scenarios.Problem{File: name, Got: err.Error()})
			continue
		}
		inputs = append(inputs, awsimport.Input{Name: name, Data: b})
	}
	if len(probs) > 0 {
		return reportProblems(stderr, probs)
	}
	res, err := awsimport.Import(inputs)
	if err != nil {
		return reportProblems(stderr, err)
	}
	// Check it as the loader will read it, from memory, before writing.
	sc, err := scenarios.Parse(string(res.TOML), filepath.Join(*out, "scenario.toml"), func(rel string) ([]byte, error) {
		if b, ok := res.Files[rel]; ok {
			return b, nil
		}
		return nil, fs.ErrNotExist
	})
	if err != nil {
		fmt.Fprintln(stderr, "fleetsim import: the imported scenario does not load (a fleetsim bug: please report it with the input files):")
		return reportProblems(stderr, err)
	}
	printWarnings(stderr, res.Warnings)
	printWarnings(stderr, sc.Warnings)
	files := map[string][]byte{"scenario.toml": res.TOML}
	for k, v := range res.Files {
		files[k] = v
	}
	wrote, err := writeImport(*out, files)
	if err != nil {
		fmt.Fprintln(stderr, "fleetsim import:", err)
		if errors.Is(err, fs.ErrExist) {
			return exitBadInput
		}
		return exitFailure
	}
	fmt.Fprintf(stdout, "wrote %s (%d services, %d task definitions, %d groups; %d fields not imported, %d warnings)\n",
		strings.Join(wrote, ", "), len(res.Scenario.Services), len(res.Scenario.TaskDefs), len(res.Scenario.Groups),
		len(res.Unmapped), len(res.Warnings)+len(sc.Warnings))
	fmt.Fprintf(stdout, "run it with: fleetsim run %s\n", filepath.Join(*out, "scenario.toml"))
	return exitOK
}

// readInput reads one input file, a regular file of at most 64 MiB.
func readInput(name string) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, errors.New("cannot read: " + errors.Unwrap(err).Error())
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("cannot read: not a regular file (%s)", st.Mode().Type())
	}
	if st.Size() > 64<<20 {
		return nil, fmt.Errorf("cannot read: %d MiB, more than the 64 MiB an input may hold", st.Size()>>20)
	}
	return os.ReadFile(name)
}

// writeImport writes files (slash paths) under dir, all or nothing: none
// may exist; they are written into a temporary folder beside dir, then
// renamed into place (a new dir is renamed whole).
func writeImport(dir string, files map[string][]byte) ([]string, error) {
	var names []string
	for k := range files {
		names = append(names, k)
	}
	slices.Sort(names)
	var wrote []string
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s already exists; choose another -o. Nothing was written: %w", p, fs.ErrExist)
		}
		wrote = append(wrote, p)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".import-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for _, n := range names {
		p := filepath.Join(tmp, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Chmod(tmp, 0o755); err != nil {
			return nil, err
		}
		return wrote, os.Rename(tmp, dir)
	}
	for _, n := range names {
		to := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return nil, err
		}
		if err := os.Rename(filepath.Join(tmp, filepath.FromSlash(n)), to); err != nil {
			return nil, err
		}
	}
	return wrote, nil
}
