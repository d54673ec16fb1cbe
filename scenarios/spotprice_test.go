package scenarios

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseMixedSpot parses mixed-spot with a [billing] table added, reading
// files from the map first.
func parseMixedSpot(t *testing.T, billing string, files map[string]string) (*Scenario, error) {
	t.Helper()
	src, err := fs.ReadFile(LibraryFS(), "mixed-spot.toml")
	require.NoError(t, err)
	return Parse(string(src)+"\n[billing]\n"+billing, "test.toml", func(rel string) ([]byte, error) {
		if f, ok := files[rel]; ok {
			return []byte(f), nil
		}
		return fs.ReadFile(LibraryFS(), rel)
	})
}

// A describe-spot-price-history document (the CLI's JSON) becomes one
// series per type and zone, its times offsets from the scenario's start
// (2026-01-05T00:00:00Z); [[billing.spot_price]] adds fixed prices, for a
// zone or for all, from an offset on.
func TestASpotPriceHistoryAndFixedPricesBecomeSeries(t *testing.T) {
	history := `{
  "SpotPriceHistory": [
    {"AvailabilityZone": "us-east-1a", "InstanceType": "m5a.xlarge", "ProductDescription": "Linux/UNIX", "SpotPrice": "0.051600", "Timestamp": "2026-01-05T06:00:00.000Z"},
    {"AvailabilityZone": "us-east-1a", "InstanceType": "m5a.xlarge", "ProductDescription": "Linux/UNIX", "SpotPrice": "0.049000", "Timestamp": "2026-01-04T23:10:00+00:00"},
    {"AvailabilityZone": "us-east-1b", "InstanceType": "m5a.xlarge", "ProductDescription": "SUSE Linux", "SpotPrice": "0.080000", "Timestamp": "2026-01-04T23:10:00Z"}
  ],
  "NextToken": ""
}`
	s, err := parseMixedSpot(t, `spot_price_history = "p.json"
spot_price = [{ instance_type = "m5.xlarge", usd_per_hour = 0.06 }, { instance_type = "m5.xlarge", usd_per_hour = 0.09, from = "12h" }]`,
		map[string]string{"p.json": history})
	require.NoError(t, err)
	sp := s.Config.Billing.SpotPrices
	require.NotNil(t, sp)
	require.Len(t, sp.Series, 2)
	a := sp.Lookup("m5a.xlarge", "us-east-1a")
	require.NotNil(t, a)
	require.Len(t, a.Points, 2, "sorted by time")
	assert.Equal(t, -50*time.Minute, a.Points[0].From)
	assert.Equal(t, 0.049, a.Points[0].USDPerHour)
	assert.Equal(t, 6*time.Hour, a.Points[1].From)
	assert.Nil(t, sp.Lookup("m5a.xlarge", "us-east-1b"), "the SUSE record is skipped")
	m := sp.Lookup("m5.xlarge", "us-east-1c")
	require.NotNil(t, m, "a fixed price for every zone")
	assert.Equal(t, 0.09, m.At(13*time.Hour))
	assert.Equal(t, 0.06, m.At(time.Hour))
	assert.Contains(t, sp.Source, "p.json (2 records, 2026-01-04T23:10:00Z to 2026-01-05T06:00:00Z)")
	assert.Contains(t, sp.Source, "[[billing.spot_price]] (2 prices)")
	require.Len(t, s.Warnings, 1)
	assert.Contains(t, s.Warnings[0].Error(), "1 records of other operating systems")
}

func TestSpotPriceProblemsNameTheFileLineAndRecord(t *testing.T) {
	rec := func(typ, zone, product, price, ts string) string {
		return `{"AvailabilityZone": "` + zone + `", "InstanceType": "` + typ + `", "ProductDescription": "` + product +
			`", "SpotPrice": "` + price + `", "Timestamp": "` + ts + `"}`
	}
	ok := rec("m5a.xlarge", "us-east-1a", "Linux/UNIX", "0.05", "2026-01-05T00:00:00Z")
	doc := func(recs ...string) string { return "{\"SpotPriceHistory\": [\n" + strings.Join(recs, ",\n") + "\n]}" }
	tests := []struct{ name, billing, file, want string }{
		{"an unknown type", `spot_price_history = "p.json"`, doc(ok, rec("m5a.huge", "us-east-1a", "Linux/UNIX", "0.05", "2026-01-05T00:00:00Z")),
			`p.json:3: SpotPriceHistory[1].InstanceType: want an EC2 instance type in the us-east-1 catalog, found "m5a.huge"`},
		{"a zone of another region", `spot_price_history = "p.json"`, doc(rec("m5a.xlarge", "eu-west-1a", "Linux/UNIX", "0.05", "2026-01-05T00:00:00Z")),
			`SpotPriceHistory[0].AvailabilityZone: want an Availability Zone of us-east-1`},
		{"a price that is no number", `spot_price_history = "p.json"`, doc(rec("m5a.xlarge", "us-east-1a", "Linux/UNIX", "NaN", "2026-01-05T00:00:00Z")),
			`SpotPriceHistory[0].SpotPrice: want a price in USD per hour above 0 and at most 1000`},
		{"a negative price", `spot_price_history = "p.json"`, doc(rec("m5a.xlarge", "us-east-1a", "Linux/UNIX", "-0.05", "2026-01-05T00:00:00Z")),
			`found "-0.05"`},
		{"a bad time", `spot_price_history = "p.json"`, doc(rec("m5a.xlarge", "us-east-1a", "Linux/UNIX", "0.05", "yesterday")),
			`SpotPriceHistory[0].Timestamp: want an ISO 8601 time`},
		{"a time years away", `spot_price_history = "p.json"`, doc(rec("m5a.xlarge", "us-east-1a", "Linux/UNIX", "0.05", "2016-01-05T00:00:00Z")),
			`want a time within a year of the scenario's start`},
		{"two prices at one time", `spot_price_history = "p.json"`, doc(ok, rec("m5a.xlarge", "us-east-1a", "Linux/UNIX", "0.07", "2026-01-05T00:00:00Z")),
			`want one price per type, zone and time`},
		{"only Windows", `spot_price_history = "p.json"`, doc(rec("m5a.xlarge", "us-east-1a", "Windows", "0.05", "2026-01-05T00:00:00Z")),
			`want at least one Linux/UNIX price record`},
		{"no records", `spot_price_history = "p.json"`, `{"SpotPriceHistory": []}`, `want a price history with at least one record`},
		{"not JSON", `spot_price_history = "p.json"`, "{\n\"SpotPriceHistory\": [\n{,}]}", `p.json: want describe-spot-price-history JSON ({"SpotPriceHistory": [...]}), found line 3`},
		{"a missing file", `spot_price_history = "nope.json"`, "", `billing.spot_price_history: want a readable describe-spot-price-history JSON file`},
		{"a price in both", "spot_price_history = \"p.json\"\nspot_price = [{ instance_type = \"m5a.xlarge\", zone = \"us-east-1a\", usd_per_hour = 0.05 }]", doc(ok),
			`want each type and zone priced once, found m5a.xlarge in us-east-1a, also in spot_price_history`},
		{"a fixed price of 0", `spot_price = [{ instance_type = "m5a.xlarge", usd_per_hour = 0 }]`, "", `usd_per_hour: want a Spot price in USD per hour above 0, found 0`},
		{"a fixed price's bad zone", `spot_price = [{ instance_type = "m5a.xlarge", zone = "us-east-1z", usd_per_hour = 0.05 }]`, "", `zone: want an Availability Zone of us-east-1`},
		{"two fixed prices at one time", `spot_price = [{ instance_type = "m5a.xlarge", usd_per_hour = 0.05 }, { instance_type = "m5a.xlarge", usd_per_hour = 0.06 }]`, "",
			`want one price per type, zone and time, found a second price for m5a.xlarge in every zone from 0s`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{}
			if tc.file != "" {
				files["p.json"] = tc.file
			}
			_, err := parseMixedSpot(t, tc.billing, files)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// Whatever a price history holds, loading it gives Problems or series that
// price any second finitely; nothing panics.
func FuzzSpotPriceHistory(f *testing.F) {
	f.Add(`{"SpotPriceHistory": [{"AvailabilityZone": "us-east-1a", "InstanceType": "m5a.xlarge", "ProductDescription": "Linux/UNIX", "SpotPrice": "0.05", "Timestamp": "2026-01-05T00:00:00Z"}]}`)
	f.Add(`[{"AvailabilityZone": "us-east-1b", "InstanceType": "m5.xlarge", "ProductDescription": "Linux/UNIX (Amazon VPC)", "SpotPrice": "1e3", "Timestamp": "2026-01-05T00:00:00.123+09:00"}]`)
	f.Add(`{"SpotPriceHistory": [{"SpotPrice": 5}]}`)
	f.Add(`{"SpotPriceHistory": null}`)
	f.Add(`[[]]`)
	src, err := fs.ReadFile(LibraryFS(), "mixed-spot.toml")
	require.NoError(f, err)
	text := string(src) + "\n[billing]\nspot_price_history = \"p.json\"\n"
	f.Fuzz(func(t *testing.T, js string) {
		s, err := Parse(text, "test.toml", func(rel string) ([]byte, error) {
			if rel == "p.json" {
				return []byte(js), nil
			}
			return fs.ReadFile(LibraryFS(), rel)
		})
		if err != nil {
			var ps Problems
			require.ErrorAs(t, err, &ps)
			for _, p := range ps {
				require.NotEmpty(t, p.Error())
			}
			return
		}
		sp := s.Config.Billing.SpotPrices
		require.NotNil(t, sp)
		for _, se := range sp.Series {
			require.NotEmpty(t, se.Points)
			usd := se.USD(-time.Hour, 48*3600)
			require.False(t, usd < 0 || usd != usd || usd > 1e6, "a finite, non-negative cost: %v", usd)
		}
	})
}
