package main

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildFleetsim builds the command into a temporary folder and returns the
// binary's path. (Built per test rather than in a TestMain: the package's
// tests run in-process, and one TestMain is all a package may have.)
func buildFleetsim(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send to another process on windows")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build fleetsim with")
	}
	bin := filepath.Join(t.TempDir(), "fleetsim")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// contentsUnder maps every path below root (slash-separated, relative) to
// its bytes, and every folder to "/": a byte-for-byte picture of a tree.
func contentsUnder(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			out[filepath.ToSlash(rel)] = "/"
			return nil
		}
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	}))
	return out
}

// A signal that arrives while fleetsim run writes its folder (held there by
// the test hook, after summary.json is in the temporary folder) removes the
// temporary folder, exits 130 and leaves the earlier run byte for byte as it
// was; a second signal during the clean-up changes nothing.
func TestASignalDuringARunsWriteLeavesTheEarlierRunAsItWas(t *testing.T) {
	bin := buildFleetsim(t)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			root := t.TempDir()
			out := filepath.Join(root, "out")
			first, err := exec.Command(bin, "run", "-q", "-o", out, "web-and-batch").CombinedOutput()
			require.NoError(t, err, "the earlier run: %s", first)
			before := contentsUnder(t, out)
			require.Contains(t, before, "summary.json")
			require.Contains(t, before, ".fleetsim-run")

			cmd := exec.Command(bin, "run", "-q", "--seed", "7", "-o", out, "web-and-batch")
			cmd.Env = append(os.Environ(), pauseAfterEnv+"=summary.json")
			stderr, err := cmd.StderrPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			timer := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() })
			defer timer.Stop()

			lines := bufio.NewScanner(stderr)
			var said []string
			tmp := ""
			for tmp == "" && lines.Scan() {
				said = append(said, lines.Text())
				if _, path, ok := strings.Cut(lines.Text(), "paused after writing "); ok {
					tmp = filepath.Dir(path)
				}
			}
			require.NotEmpty(t, tmp, "the hook paused the write: %s", strings.Join(said, "\n"))
			assert.Equal(t, root, filepath.Dir(tmp), "the temporary folder is beside the target")
			assert.True(t, strings.HasPrefix(filepath.Base(tmp), ".out.tmp-"), tmp)
			assert.FileExists(t, filepath.Join(tmp, "summary.json"), "the write is half-way")
			assert.NoFileExists(t, filepath.Join(tmp, "report.html"), "the write is half-way")

			require.NoError(t, cmd.Process.Signal(sig))
			_ = cmd.Process.Signal(sig) // a second one, as an impatient Ctrl-C
			for lines.Scan() {
				said = append(said, lines.Text())
			}
			err = cmd.Wait()
			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit), "exited, not %v", err)
			assert.Equal(t, exitInterrupted, exit.ExitCode(), strings.Join(said, "\n"))
			assert.Contains(t, strings.Join(said, "\n"), "stopped; nothing was written, "+out+" is as it was")
			assert.NoDirExists(t, tmp, "the temporary folder is removed")
			assert.Equal(t, []string{".", "out"}, topLevel(t, root), "nothing but the earlier run beside it")
			assert.Equal(t, before, contentsUnder(t, out), "the earlier run is unchanged byte for byte")
		})
	}
}

// topLevel lists root and its entries, as filesUnder does one level down.
func topLevel(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	out := []string{"."}
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
