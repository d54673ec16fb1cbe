package golden_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
)

// mixedSpotCost runs mixed-spot with extra lines added to its [settings]
// table and returns the bill's EC2 Spot part.
func mixedSpotCost(t *testing.T, settings string) (spotUSD, totalUSD float64) {
	t.Helper()
	src, err := fs.ReadFile(scenarios.LibraryFS(), "mixed-spot.toml")
	require.NoError(t, err)
	text := strings.Replace(string(src), "[settings]\n", "[settings]\n"+settings, 1)
	sc, err := scenarios.Parse(text, "mixed-spot.toml", func(p string) ([]byte, error) { return fs.ReadFile(scenarios.LibraryFS(), p) })
	require.NoError(t, err)
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	cost, err := report.ComputeCost(res, report.PricesFor(res.Config))
	require.NoError(t, err)
	for _, l := range cost.ByInstanceType {
		if l.Purchase == "spot" {
			spotUSD += float64(l.USD)
		}
	}
	return spotUSD, float64(cost.TotalUSD)
}

// `[settings] spot_discount` was validated and then never read: cost used
// 0.70 whatever it said. The same run at 0.1 off must bill EC2 Spot at
// 0.9/0.3 = 3x the default's price (the same instances, the same seconds).
func TestSpotDiscountSettingChangesTheBill(t *testing.T) {
	defSpot, defTotal := mixedSpotCost(t, "")
	lowSpot, lowTotal := mixedSpotCost(t, "spot_discount = 0.1\n")
	require.Greater(t, defSpot, 0.0, "mixed-spot runs EC2 Spot instances")
	assert.InDelta(t, 3.0, lowSpot/defSpot, 1e-6, "Spot at 10%% off costs 0.9/0.3 of Spot at 70%% off")
	assert.InDelta(t, lowSpot-defSpot, lowTotal-defTotal, 1e-6, "only the EC2 Spot part moves")
}
