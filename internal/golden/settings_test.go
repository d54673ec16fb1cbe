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

// mixedSpotBilled runs mixed-spot with a [billing] table added (and the
// files it names) and returns the EC2 Spot part of its bill per type.
func mixedSpotBilled(t *testing.T, billing string, files map[string]string) map[string]float64 {
	t.Helper()
	src, err := fs.ReadFile(scenarios.LibraryFS(), "mixed-spot.toml")
	require.NoError(t, err)
	sc, err := scenarios.Parse(string(src)+"\n[billing]\n"+billing, "mixed-spot.toml", func(p string) ([]byte, error) {
		if f, ok := files[p]; ok {
			return []byte(f), nil
		}
		return fs.ReadFile(scenarios.LibraryFS(), p)
	})
	require.NoError(t, err)
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	cost, err := report.ComputeCost(res, report.PricesFor(res.Config))
	require.NoError(t, err)
	out := map[string]float64{}
	for _, l := range cost.ByInstanceType {
		if l.Purchase == "spot" {
			out[l.Type] += float64(l.USD)
		}
	}
	return out
}

// Spot prices given per type ([[billing.spot_price]]) at twice the
// discounted price (70% off $0.192 and $0.172: $0.1152 and $0.1032) bill
// the same instances' same seconds at twice the money; a history in AWS's
// describe-spot-price-history form at exactly the discounted price of the
// type the run's Spot instances are (m5a.xlarge, the cheapest: $0.0516)
// bills what the discount does, and one that doubles it at noon in every
// zone bills between the two. Its Windows records are skipped.
func TestSpotPricesFromSettingsAndAHistoryPriceTheSameSeconds(t *testing.T) {
	base := mixedSpotBilled(t, "", nil)
	require.NotEmpty(t, base)
	doubled := mixedSpotBilled(t, `spot_price = [
  { instance_type = "m5.xlarge", usd_per_hour = 0.1152 },
  { instance_type = "m6i.xlarge", usd_per_hour = 0.1152 },
  { instance_type = "m5a.xlarge", usd_per_hour = 0.1032 },
]`, nil)
	for typ, usd := range base {
		assert.InDelta(t, 2*usd, doubled[typ], 1e-6, typ)
	}
	history := func(noon string) string {
		recs := []string{}
		for _, z := range []string{"us-east-1a", "us-east-1b", "us-east-1c"} {
			recs = append(recs, `{"AvailabilityZone": "`+z+`", "InstanceType": "m5a.xlarge", "ProductDescription": "Linux/UNIX", "SpotPrice": "0.051600", "Timestamp": "2026-01-04T21:13:05.000Z"}`,
				`{"AvailabilityZone": "`+z+`", "InstanceType": "m5a.xlarge", "ProductDescription": "Windows", "SpotPrice": "0.200000", "Timestamp": "2026-01-04T21:13:05.000Z"}`)
			if noon != "" {
				recs = append(recs, `{"AvailabilityZone": "`+z+`", "InstanceType": "m5a.xlarge", "ProductDescription": "Linux/UNIX", "SpotPrice": "`+noon+`", "Timestamp": "2026-01-05T12:00:00.000Z"}`)
			}
		}
		return `{"SpotPriceHistory": [` + strings.Join(recs, ",\n") + `]}`
	}
	same := mixedSpotBilled(t, `spot_price_history = "prices.json"`, map[string]string{"prices.json": history("")})
	require.Contains(t, base, "m5a.xlarge")
	for typ, usd := range base {
		assert.InDelta(t, usd, same[typ], 1e-6, typ)
	}
	noon := mixedSpotBilled(t, `spot_price_history = "prices.json"`, map[string]string{"prices.json": history("0.103200")})
	assert.Greater(t, noon["m5a.xlarge"], base["m5a.xlarge"]+1e-3)
	assert.Less(t, noon["m5a.xlarge"], 2*base["m5a.xlarge"]-1e-3)
}
