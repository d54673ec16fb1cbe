package catalog

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// ec2Prices is the On-Demand Linux price of every catalog type per region
// (genprices.sh writes it from aws/karpenter-provider-aws's generated
// tables): a column per region, an empty cell where the type is not offered.
//
//go:embed ec2-prices.csv
var ec2Prices string

// zones is the number of Availability Zones of each priced region, named
// REGION + "a", "b", ...: us-east-1 has six (us-east-1a to us-east-1f); the
// AWS GovCloud (US) regions have three each (AWS GovCloud (US) User Guide,
// "Regions and Availability Zones").
var zones = map[string]int{"us-east-1": 6, "us-gov-east-1": 3, "us-gov-west-1": 3}

// PriceSource names where the regional prices come from, for reports.
const PriceSource = "AWS Pricing API via aws/karpenter-provider-aws 1d927085 (2026-08-21), pkg/providers/pricing/zz_generated.pricing_aws.go and zz_generated.pricing_aws_us_gov.go"

// PriceDate is when AWS's price data was generated.
const PriceDate = "2026-07-20"

// Regions returns the regions with a price table, sorted.
func Regions() []string {
	header, _, err := readPrices()
	if err != nil {
		panic("catalog: embedded price table is corrupt: " + err.Error())
	}
	return slices.Sorted(slices.Values(header[1:]))
}

// Zones returns the Availability Zones of a priced region, in order; nil for
// a region without a price table.
func Zones(region string) []string {
	var out []string
	for i := range zones[region] {
		out = append(out, region+string(rune('a'+i)))
	}
	return out
}

// ForRegion returns the catalog with region's On-Demand prices: every type
// of Default that the region offers, priced as there. Types the region does
// not offer are left out, and NotOffered names them. An unknown region is an
// error naming the regions there are.
func ForRegion(region string) (*Catalog, error) {
	base := Default()
	if region == base.Region {
		return base, nil
	}
	header, rows, err := readPrices()
	if err != nil {
		return nil, err
	}
	col := slices.Index(header, region)
	if col < 1 {
		return nil, fmt.Errorf("catalog: no price table for region %q; regions with prices: %s", region, strings.Join(Regions(), ", "))
	}
	c := &Catalog{Region: region, Source: PriceSource, notOffered: map[string]bool{}}
	for _, t := range base.types {
		cell, ok := rows[t.Name]
		if !ok || cell[col] == "" {
			c.notOffered[t.Name] = true
			continue
		}
		p, err := strconv.ParseFloat(cell[col], 64)
		if err != nil {
			return nil, fmt.Errorf("catalog: ec2-prices.csv: %s, %s: want a price, found %q", t.Name, region, cell[col])
		}
		t.PriceUSDPerHour = p
		c.types = append(c.types, t)
	}
	return c, nil
}

// NotOffered reports whether name is a catalog type that this catalog's
// region does not offer (so a lookup of it fails for that reason).
func (c *Catalog) NotOffered(name string) bool { return c.notOffered[name] }

// readPrices parses the embedded price table: the header (instance_type,
// then the regions) and each row by type name.
func readPrices() ([]string, map[string][]string, error) {
	cr := csv.NewReader(strings.NewReader(ec2Prices))
	cr.Comment = '#'
	header, err := cr.Read()
	if err != nil || len(header) < 2 || header[0] != "instance_type" {
		return nil, nil, fmt.Errorf("catalog: ec2-prices.csv: want a header instance_type,REGION..., found %q", header)
	}
	rows := map[string][]string{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return header, rows, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("catalog: ec2-prices.csv: %w", err)
		}
		rows[rec[0]] = rec
	}
}
