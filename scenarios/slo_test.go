package scenarios

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withSLO adds a [services.slo] table (and [settings] lines, when given) to
// the default scenario's web service, which has latency_slo = "100ms".
func withSLO(t *testing.T, slo, settings string) string {
	t.Helper()
	src := defaultSource(t)
	const anchor = "  latency_slo = \"100ms\"\n"
	require.Contains(t, src, anchor)
	if slo != "" {
		src = strings.Replace(src, anchor, anchor+"\n  [services.slo]\n"+slo, 1)
	}
	if settings != "" {
		src = strings.Replace(src, "[cluster]\n", "[settings]\n"+settings+"\n[cluster]\n", 1)
	}
	return src
}

func TestSLOObjectivesAndTheWarmUpAreRead(t *testing.T) {
	s, err := parseLibrary(withSLO(t, "  latency = \"100ms\"\n  latency_target = 99.9\n  availability_target = 99.95\n  p95_wait = \"60s\"\n", `warm_up = "30m"`))
	require.NoError(t, err)
	web := s.Config.Services[0]
	require.NotNil(t, web.SLO)
	assert.Equal(t, 99.9, web.SLO.LatencyTargetPct)
	assert.Equal(t, 99.95, web.SLO.AvailabilityTargetPct)
	assert.Equal(t, time.Minute, web.SLO.P95Wait)
	assert.Equal(t, 100*time.Millisecond, web.Load.LatencySLO, "slo.latency and latency_slo agree")
	assert.Equal(t, 30*time.Minute, s.Config.Settings.WarmUp)
	assert.Nil(t, s.Config.Services[1].SLO, "the api service has no [services.slo]")
}

func TestSLOLatencyIsTheThresholdLatencySLOAlsoSets(t *testing.T) {
	src := strings.Replace(withSLO(t, "  latency = \"250ms\"\n  latency_target = 99\n", ""), "  latency_slo = \"100ms\"\n", "", 1)
	s, err := parseLibrary(src)
	require.NoError(t, err)
	assert.Equal(t, 250*time.Millisecond, s.Config.Services[0].Load.LatencySLO, "slo.latency sets the load's threshold")

	s, err = parseLibrary(withSLO(t, "  latency_target = 99\n", ""))
	require.NoError(t, err, "latency_target alone takes latency_slo's threshold")
	assert.Equal(t, 100*time.Millisecond, s.Config.Services[0].Load.LatencySLO)
	assert.Equal(t, 99.0, s.Config.Services[0].SLO.LatencyTargetPct)

	s, err = parseLibrary(defaultSource(t))
	require.NoError(t, err)
	assert.Nil(t, s.Config.Services[0].SLO, "latency_slo alone is a threshold with no objective")
	assert.Zero(t, s.Config.Settings.WarmUp, "no warm-up unless asked")
}

func TestBadSLOAndWarmUpValuesNameFileLineKeyWantAndFound(t *testing.T) {
	// The slo table starts on line 80 of the edited default scenario: its
	// first key is on 81.
	tests := []struct {
		name, slo, settings, problem string
	}{
		{"a target above 100", "  latency_target = 101\n", "",
			"test.toml:81: services.web.slo.latency_target: want a percentage above 0 and at most 100, such as 99.9, found 101"},
		{"a NaN target", "  availability_target = nan\n", "",
			"test.toml:81: services.web.slo.availability_target: want a finite number, found nan"},
		{"a negative target", "  availability_target = -1.0\n", "",
			"test.toml:81: services.web.slo.availability_target: want a percentage above 0 and at most 100, such as 99.9, found -1"},
		{"a target of 0", "  latency_target = 0.0\n", "",
			"test.toml:81: services.web.slo.latency_target: want a percentage above 0 and at most 100, such as 99.9, found 0"},
		{"a latency that disagrees with latency_slo", "  latency = \"250ms\"\n  latency_target = 99.9\n", "",
			"test.toml:81: services.web.slo.latency: want the same threshold as [services.load] latency_slo (100ms), or only one of them, found 250ms"},
		{"a latency without a target", "  latency = \"100ms\"\n", "",
			"services.web.slo.latency_target: want the percent of requests to serve within latency, such as 99.9, found none"},
		{"a zero p95 wait", "  p95_wait = \"0s\"\n", "",
			"test.toml:81: services.web.slo.p95_wait: want a positive duration such as \"60s\" (95% of tasks placed within it), found 0s"},
		{"an empty objectives table", "", "", ""}, // filled below
		{"a warm-up as long as the run", "", `warm_up = "24h"`,
			"test.toml:13: settings.warm_up: want a warm-up shorter than the run's duration (24h0m0s), found 24h0m0s"},
		{"a negative warm-up", "", `warm_up = "-5m"`,
			"test.toml:13: settings.warm_up: want a non-negative duration such as \"30m\", found -5m0s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := withSLO(t, tc.slo, tc.settings)
			if tc.problem == "" { // an empty [services.slo]
				src = strings.Replace(defaultSource(t), "  latency_slo = \"100ms\"\n", "  latency_slo = \"100ms\"\n\n  [services.slo]\n", 1)
				tc.problem = "test.toml:80: services.web.slo: want at least one objective: latency with latency_target, availability_target or p95_wait, found an empty [services.slo]"
			}
			_, err := parseLibrary(src)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.problem)
		})
	}
}

func TestAQueueHasNoLatencyObjective(t *testing.T) {
	s, err := Resolve("queue-worker")
	require.NoError(t, err)
	src := replaceOnce(t, s.Source, "  [services.auto_scaling]\n", "  [services.slo]\n  latency_target = 99\n  [services.auto_scaling]\n")
	_, err = Parse(src, "test.toml", func(rel string) ([]byte, error) { return fs.ReadFile(LibraryFS(), rel) })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "slo.latency_target: want no latency objective for a queue (its backlog is the measure), found 99")
}

func TestALatencyObjectiveNeedsRequests(t *testing.T) {
	// The api service (the second) with objectives in place of its load.
	load := "  [services.load]\n  pattern = \"constant\"\n  base_rps = 120\n  noise = 0.1\n  cpu_seconds_per_request = 0.01\n  latency_slo = \"150ms\"\n"
	src := strings.Replace(defaultSource(t), load, "  [services.slo]\n  latency = \"100ms\"\n  latency_target = 99.9\n", 1)
	require.NotEqual(t, defaultSource(t), src, "the api service's lines are where the test expects them")
	_, err := parseLibrary(src)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "services.api.slo.latency: want a [services.load] to serve requests for a latency objective, found none")
}
