package scenarios

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// spotPriceSchema is one [[billing.spot_price]]: an instance type's Spot
// price, in one zone or all, from an offset into the run on.
type spotPriceSchema struct {
	InstanceType string   `toml:"instance_type"`
	Zone         string   `toml:"zone"`
	USDPerHour   float64  `toml:"usd_per_hour" max:"1000"`
	From         Duration `toml:"from" min:"0s" max:"8784h"`
}

// maxSpotPriceRecords bounds a price history: a week of one type in six
// zones changing every minute is about 60,000 records.
const maxSpotPriceRecords = 1_000_000

// spotPriceRecord is one entry of AWS's describe-spot-price-history output
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SpotPrice.html;
// the CLI prints them under "SpotPriceHistory").
type spotPriceRecord struct {
	AvailabilityZone   string `json:"AvailabilityZone"`
	InstanceType       string `json:"InstanceType"`
	ProductDescription string `json:"ProductDescription"`
	SpotPrice          string `json:"SpotPrice"`
	Timestamp          string `json:"Timestamp"`
}

// linuxProducts are the product descriptions of Linux Spot prices, the only
// operating system fleetsim prices EC2 for.
var linuxProducts = []string{"Linux/UNIX", "Linux/UNIX (Amazon VPC)"}

// spotPrices builds the Spot price series of [billing]: the records of
// spot_price_history and the [[billing.spot_price]] entries, which may not
// both price the same type and zone. Nil when neither is given.
func (v *validator) spotPrices(cfg *sim.Config, f *billingSchema) *catalog.SpotPrices {
	type key struct{ typ, zone string }
	series := map[key][]catalog.SpotPricePoint{}
	from := map[key]string{} // where a type and zone's prices came from
	var sources []string
	zones := catalog.Zones(cfg.Region)
	if rel := f.SpotPriceHistory; rel != "" {
		fp := p("billing", "spot_price_history")
		if data, ok := v.readFile(fp, rel, "describe-spot-price-history JSON file"); ok {
			display := rel
			if !path.IsAbs(rel) {
				display = path.Join(path.Dir(v.file), rel)
			}
			recs, span := v.spotHistory(fp, display, data, cfg, zones)
			for _, r := range recs {
				k := key{r.typ, r.zone}
				series[k] = append(series[k], r.point)
				from[k] = "spot_price_history"
			}
			if len(recs) > 0 {
				sources = append(sources, fmt.Sprintf("%s (%d records, %s)", rel, len(recs), span))
			}
		}
	}
	given := map[key]bool{}
	for i, s := range f.SpotPrices {
		fp := p("billing", "spot_price", i)
		if !v.typeKey(append(fp, "instance_type"), s.InstanceType) {
			continue
		}
		if s.Zone != "" && !slices.Contains(zones, s.Zone) {
			v.bad(append(fp, "zone"), "an Availability Zone of "+cfg.Region+" ("+strings.Join(zones, ", ")+"), or none for every zone", quoteShort(s.Zone))
			continue
		}
		if !(s.USDPerHour > 0) {
			v.bad(append(fp, "usd_per_hour"), "a Spot price in USD per hour above 0", fmt.Sprint(s.USDPerHour))
			continue
		}
		k := key{s.InstanceType, s.Zone}
		if from[k] == "spot_price_history" {
			v.badHint(fp, "each type and zone priced once", fmt.Sprintf("%s in %s, also in spot_price_history", s.InstanceType, zoneOrAll(s.Zone)),
				"give the prices in the history file or here, not both")
			continue
		}
		if given[k] && slices.ContainsFunc(series[k], func(pt catalog.SpotPricePoint) bool { return pt.From == s.From.Duration }) {
			v.bad(append(fp, "from"), "one price per type, zone and time", fmt.Sprintf("a second price for %s in %s from %s", s.InstanceType, zoneOrAll(s.Zone), s.From.Duration))
			continue
		}
		given[k] = true
		from[k] = "spot_price"
		series[k] = append(series[k], catalog.SpotPricePoint{From: s.From.Duration, USDPerHour: s.USDPerHour})
	}
	if len(f.SpotPrices) > 0 {
		sources = append(sources, fmt.Sprintf("[[billing.spot_price]] (%d prices)", len(f.SpotPrices)))
	}
	if len(series) == 0 {
		return nil
	}
	out := &catalog.SpotPrices{Source: strings.Join(sources, "; ")}
	for k, pts := range series {
		slices.SortStableFunc(pts, func(a, b catalog.SpotPricePoint) int { return cmp.Compare(a.From, b.From) })
		out.Series = append(out.Series, catalog.SpotPriceSeries{Type: k.typ, Zone: k.zone, Points: pts})
	}
	slices.SortFunc(out.Series, func(a, b catalog.SpotPriceSeries) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Zone, b.Zone))
	})
	return out
}

func zoneOrAll(z string) string {
	if z == "" {
		return "every zone"
	}
	return z
}

// spotRecord is one usable price of a history.
type spotRecord struct {
	typ, zone string
	point     catalog.SpotPricePoint
}

// spotHistory reads a describe-spot-price-history document: an object with
// "SpotPriceHistory" (the CLI's and the API's JSON) or a bare array of
// records. Records of other operating systems than Linux are skipped (EC2
// is priced for Linux only), with a warning saying how many; every other
// problem names the record's line.
func (v *validator) spotHistory(fp []string, display string, data []byte, cfg *sim.Config, zones []string) ([]spotRecord, string) {
	var doc struct {
		SpotPriceHistory []json.RawMessage `json:"SpotPriceHistory"`
	}
	var raws []json.RawMessage
	trimmed := bytes.TrimSpace(data)
	var err error
	if len(trimmed) > 0 && trimmed[0] == '[' {
		err = json.Unmarshal(data, &raws)
	} else {
		err = json.Unmarshal(data, &doc)
		raws = doc.SpotPriceHistory
	}
	if err != nil {
		v.problems = append(v.problems, Problem{File: display, Want: "describe-spot-price-history JSON ({\"SpotPriceHistory\": [...]})", Got: jsonError(data, err),
			Hint: fmt.Sprintf("named by %s", v.display(fp))})
		return nil, ""
	}
	if len(raws) == 0 {
		v.bad(fp, "a price history with at least one record", quoteShort(display)+": no SpotPriceHistory records")
		return nil, ""
	}
	if len(raws) > maxSpotPriceRecords {
		v.bad(fp, fmt.Sprintf("at most %d price records", maxSpotPriceRecords), fmt.Sprintf("%s: %d", quoteShort(display), len(raws)))
		return nil, ""
	}
	lines := jsonLines(data)
	prefix := "SpotPriceHistory."
	if trimmed[0] == '[' {
		prefix = ""
	}
	bad := func(i int, field, want, got string) {
		line := lines[prefix+strconv.Itoa(i)+"."+field]
		if line == 0 {
			line = lines[prefix+strconv.Itoa(i)]
		}
		v.problems = append(v.problems, Problem{File: display, Line: line, Key: fmt.Sprintf("SpotPriceHistory[%d].%s", i, field), Want: want, Got: got})
	}
	var out []spotRecord
	skipped := 0
	type at struct {
		typ, zone string
		t         time.Duration
	}
	seen := map[at]int{}
	var first, last time.Time
	for i, raw := range raws {
		var r spotRecord
		var rec spotPriceRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			bad(i, "", "a record of strings (AvailabilityZone, InstanceType, ProductDescription, SpotPrice, Timestamp)", err.Error())
			continue
		}
		if !slices.Contains(linuxProducts, rec.ProductDescription) {
			skipped++
			continue
		}
		ok := true
		if _, found := v.cat.Lookup(rec.InstanceType); !found {
			bad(i, "InstanceType", "an EC2 instance type in the "+v.cat.Region+" catalog", quoteShort(rec.InstanceType))
			ok = false
		}
		if !slices.Contains(zones, rec.AvailabilityZone) {
			bad(i, "AvailabilityZone", "an Availability Zone of "+cfg.Region+" ("+strings.Join(zones, ", ")+")", quoteShort(rec.AvailabilityZone))
			ok = false
		}
		price, err := strconv.ParseFloat(rec.SpotPrice, 64)
		if err != nil || !(price > 0) || math.IsInf(price, 0) || price > 1000 {
			bad(i, "SpotPrice", "a price in USD per hour above 0 and at most 1000, as a string such as \"0.035600\"", quoteShort(rec.SpotPrice))
			ok = false
		}
		ts, err := time.Parse(time.RFC3339, rec.Timestamp)
		if err != nil {
			bad(i, "Timestamp", "an ISO 8601 time such as \"2026-01-05T04:32:53.000Z\"", quoteShort(rec.Timestamp))
			ok = false
		}
		if !ok {
			continue
		}
		off := ts.Sub(cfg.Start)
		if ts.Before(cfg.Start.Add(-366*24*time.Hour)) || ts.After(cfg.Start.Add(2*366*24*time.Hour)) {
			bad(i, "Timestamp", "a time within a year of the scenario's start ("+cfg.Start.Format(time.RFC3339)+")", quoteShort(rec.Timestamp))
			continue
		}
		k := at{rec.InstanceType, rec.AvailabilityZone, off}
		if j, dup := seen[k]; dup {
			if out[j].point.USDPerHour != price {
				bad(i, "Timestamp", "one price per type, zone and time", fmt.Sprintf("%s again (record %d) with another price", quoteShort(rec.Timestamp), j))
			}
			continue
		}
		seen[k] = len(out)
		r = spotRecord{typ: rec.InstanceType, zone: rec.AvailabilityZone, point: catalog.SpotPricePoint{From: off, USDPerHour: price}}
		out = append(out, r)
		if first.IsZero() || ts.Before(first) {
			first = ts
		}
		if ts.After(last) {
			last = ts
		}
	}
	if skipped > 0 {
		v.warn(fp, "Linux/UNIX prices (EC2 is priced for Linux only)",
			fmt.Sprintf("%d records of other operating systems in %s", skipped, quoteShort(display)), "skipped")
	}
	if len(out) == 0 && skipped > 0 {
		v.bad(fp, "at least one Linux/UNIX price record", fmt.Sprintf("%s: only other operating systems", quoteShort(display)))
	}
	span := ""
	if len(out) > 0 {
		span = first.UTC().Format(time.RFC3339) + " to " + last.UTC().Format(time.RFC3339)
	}
	return out, span
}
