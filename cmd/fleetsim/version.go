package main

import (
	"fmt"
	"github.com/fleetsim/fleetsim/sweep"
	"io"
	"runtime"
	"runtime/debug"
)

const versionUsage = `usage: fleetsim version
  Prints fleetsim's module version ("(devel)" for a build from a source
  tree), the Go version it was built with and, when the build recorded it,
  the VCS revision ("+dirty": built from a modified tree).
`

func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", stderr)
	pos, code, done := parseArgs(fs, versionUsage, args, stdout, stderr)
	if done {
		return code
	}
	if code := noArgs("version", pos, versionUsage, stderr); code != exitOK {
		return code
	}
	bi, ok := debug.ReadBuildInfo()
	fmt.Fprintln(stdout, versionLine(bi, ok))
	return exitOK
}

// versionLine is "fleetsim VERSION GOVERSION [revision REV[+dirty]]" from
// the build information the binary carries (ok false: none).
func versionLine(bi *debug.BuildInfo, ok bool) string {
	version, goVersion := "(devel)", runtime.Version()
	if !ok || bi == nil {
		return "fleetsim " + version + " " + goVersion
	}
	if bi.Main.Version != "" {
		version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		goVersion = bi.GoVersion
	}
	line := "fleetsim " + version + " " + goVersion
	if rev := sweep.VCSRevision(bi); rev != "" {
		line += " revision " + rev
	}
	return line
}
