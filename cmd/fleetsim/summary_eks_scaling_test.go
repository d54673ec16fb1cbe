package main

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
)

// TestAnEKSRunsTerminalSummaryCountsTheClusterAutoscalersDecisions: the
// library's Cluster Autoscaler day prints one line per action and reason
// with report.ScalingCounts' number (scale-ups by expander, scale-downs
// empty or drained), and a run without autoscalers prints no such block.
func TestAnEKSRunsTerminalSummaryCountsTheClusterAutoscalersDecisions(t *testing.T) {
	sc, err := scenarios.Resolve("eks-hpa-cluster-autoscaler")
	require.NoError(t, err)
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	var buf bytes.Buffer
	printEKSScaling(&buf, res)
	out := buf.String()
	counts := report.ScalingCounts(report.ScalingActivity(res))
	require.NotEmpty(t, counts)
	assert.True(t, strings.HasPrefix(out, "scaling activity, by reason (events.csv):\n"), out)
	for _, c := range counts {
		assert.Regexp(t, `(?m)^  `+regexp.QuoteMeta(scalingLabel(c))+` +`+strconv.Itoa(c.N)+`$`, out)
	}
	assert.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 2+len(counts))

	plain, err := scenarios.Resolve("eks-web-and-nightly")
	require.NoError(t, err)
	res, err = sim.New(plain.Config).Run()
	require.NoError(t, err)
	buf.Reset()
	printEKSScaling(&buf, res)
	assert.Empty(t, buf.String())
}
