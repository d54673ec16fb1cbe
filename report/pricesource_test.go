package report

import (
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// cost.json names where each region's EC2 prices come from, and when they
// were read: a region priced from the Pricing Calculator feed must not be
// labelled with Karpenter's source or date.
func TestCostNamesTheRegionsPriceSourceAndDate(t *testing.T) {
	for _, tc := range []struct{ region, source, date string }{
		{"eu-west-1", catalog.CalculatorPriceSource, catalog.CalculatorPriceDate},
		{"us-gov-west-1", catalog.PriceSource, catalog.PriceDate},
	} {
		p := PricesFor(&sim.Config{Region: tc.region, Settings: sim.DefaultSettings()})
		if !strings.Contains(p.Source, tc.source) || p.Date != tc.date {
			t.Errorf("%s: source %q, date %q; want the source %q and the date %q", tc.region, p.Source, p.Date, tc.source, tc.date)
		}
	}
	if catalog.CalculatorPriceDate == catalog.PriceDate {
		t.Fatalf("the two sources carry one date (%s): the test cannot tell them apart", catalog.PriceDate)
	}
}
