package report_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
)

// With Gzip the CSV files are written compressed, as NAME.csv.gz, and hold
// exactly what the plain files hold; the folder is still a run's (a rerun
// may replace it), and the same run gives the same compressed bytes.
func TestGzipWritesTheCSVFilesCompressed(t *testing.T) {
	res, src := shortRun(t)
	plain, gz, again := filepath.Join(t.TempDir(), "plain"), filepath.Join(t.TempDir(), "gz"), filepath.Join(t.TempDir(), "again")
	_, err := report.WriteRunFolder(context.Background(), plain, res, src, report.WriteOptions{Outputs: []string{"csv", "json"}})
	require.NoError(t, err)
	wrote, err := report.WriteRunFolder(context.Background(), gz, res, src, report.WriteOptions{Outputs: []string{"csv", "json"}, Gzip: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"timeseries.csv.gz", "events.csv.gz", "summary.json", "state.json", "cost.json"}, wrote)
	_, err = report.WriteRunFolder(context.Background(), again, res, src, report.WriteOptions{Outputs: []string{"csv", "json"}, Gzip: true})
	require.NoError(t, err)
	for _, name := range []string{"timeseries.csv", "events.csv"} {
		assert.NoFileExists(t, filepath.Join(gz, name))
		want, err := os.ReadFile(filepath.Join(plain, name))
		require.NoError(t, err)
		f, err := os.Open(filepath.Join(gz, report.GzipName(name)))
		require.NoError(t, err)
		zr, err := gzip.NewReader(bufio.NewReader(f))
		require.NoError(t, err)
		got, err := io.ReadAll(zr)
		require.NoError(t, err)
		f.Close()
		assert.True(t, bytes.Equal(want, got), "%s.gz holds %s", name, name)
		a, _ := os.ReadFile(filepath.Join(gz, report.GzipName(name)))
		b, _ := os.ReadFile(filepath.Join(again, report.GzipName(name)))
		assert.Equal(t, a, b, "the same run, the same %s.gz", name)
	}
	ok, why, err := report.IsRunFolder(gz)
	require.NoError(t, err)
	assert.True(t, ok, why)
	_, err = report.WriteRunFolder(context.Background(), gz, res, src, report.WriteOptions{Outputs: []string{"json"}})
	assert.NoError(t, err, "a gzip run's folder is replaced as any run's is")
}
