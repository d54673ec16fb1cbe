package catalog

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ec2Prices is the On-Demand Linux price of every catalog type per region
// (genprices.sh writes it from aws/karpenter-provider-aws's generated
// tables, and for the commercial regions those tables lack, from the AWS
// Pricing Calculator feed committed in apache/libcloud): a column per
// region, an empty cell where the type is not offered.
//
//go:embed ec2-prices.csv
var ec2Prices string

// zoneLetters names the Availability Zones of each priced region: a zone's
// code is its region's code and a letter (AWS Regions and Availability
// Zones, "AWS Availability Zones"). us-east-1 has six (us-east-1a to
// us-east-1f); the AWS GovCloud (US) regions three each (AWS GovCloud (US)
// User Guide, "Regions and Availability Zones"); every other region at
// least three. ca-central-1's third zone is ca-central-1d (there is no
// ca-central-1c); us-west-1 has two zones per account whose letters differ
// between accounts (an independently mapped region), so a to c are each
// accepted; ap-northeast-1's are a, c and d (choice: the letters new
// accounts see).
var zoneLetters = map[string]string{
	"us-east-1": "abcdef", "us-east-2": "abc", "us-west-1": "abc", "us-west-2": "abcd",
	"us-gov-east-1": "abc", "us-gov-west-1": "abc",
	"ca-central-1": "abd", "sa-east-1": "abc", "af-south-1": "abc",
	"eu-west-1": "abc", "eu-west-2": "abc", "eu-west-3": "abc",
	"eu-central-1": "abc", "eu-north-1": "abc", "eu-south-1": "abc",
	"ap-northeast-1": "acd", "ap-northeast-2": "abcd", "ap-south-1": "abc",
	"ap-southeast-1": "abc", "ap-southeast-2": "abc", "ap-east-1": "abc",
}

// PriceSource names where the regional prices come from, for reports: the
// source of us-east-1's and the GovCloud regions' columns. RegionPriceSource
// names each region's.
const PriceSource = "AWS Pricing API via aws/karpenter-provider-aws 1d927085 (2026-08-21), pkg/providers/pricing/zz_generated.pricing_aws.go and zz_generated.pricing_aws_us_gov.go"

// PriceDate is when AWS's price data was generated (PriceSource's).
const PriceDate = "2026-07-20"

// CalculatorPriceSource is the source of the columns of the commercial
// regions Karpenter's tables lack: the AWS Pricing Calculator's On-Demand
// Linux feed (calculator.aws/pricing/1.0/ec2/region/REGION/ondemand/linux),
// read by apache/libcloud's contrib/scrape-ec2-prices.py into its
// libcloud/data/pricing.json at commit ec6a28bd (2022-05-22). It is the
// newest copy of that file whose us-east-1 prices agree with AWS's 2026
// table (476 of the 486 catalog types it prices; the ten others are metal
// types and p4d.24xlarge, repriced since); libcloud's later copies carry
// zeros and prices of other SKUs.
const CalculatorPriceSource = "AWS Pricing Calculator On-Demand Linux feed via apache/libcloud ec6a28bd (2022-05-22), libcloud/data/pricing.json"

// CalculatorPriceDate is when libcloud read CalculatorPriceSource's feed
// (pricing.json's "updated", 2022-05-22T18:55:19Z).
const CalculatorPriceDate = "2022-05-22"

// karpenterRegions are the regions of PriceSource's tables.
var karpenterRegions = map[string]bool{"us-east-1": true, "us-gov-east-1": true, "us-gov-west-1": true}

// RegionPriceSource names the source of region's EC2 prices; "" for a region
// without a price table.
func RegionPriceSource(region string) string {
	switch {
	case karpenterRegions[region]:
		return PriceSource
	case slices.Contains(Regions(), region):
		return CalculatorPriceSource
	}
	return ""
}

// RegionPriceDate is the date of region's EC2 prices; "" for a region
// without a price table.
func RegionPriceDate(region string) string {
	switch RegionPriceSource(region) {
	case PriceSource:
		return PriceDate
	case CalculatorPriceSource:
		return CalculatorPriceDate
	}
	return ""
}

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
	for _, l := range zoneLetters[region] {
		out = append(out, region+string(l))
	}
	return out
}

// ForRegion returns the catalog with region's On-Demand prices: every type
// of Default that the region offers, priced as there. Types the region does
// not offer are left out, and NotOffered names them. An unknown region is an
// error naming the regions there are.
// Each region's catalog is made once and shared, as Default's is.
func ForRegion(region string) (*Catalog, error) {
	base := Default()
	if region == base.Region {
		return base, nil
	}
	if c, ok := regionCatalogs.Load(region); ok {
		return c.(*Catalog), nil
	}
	c, err := forRegion(base, region)
	if err != nil {
		return nil, err
	}
	c2, _ := regionCatalogs.LoadOrStore(region, c)
	return c2.(*Catalog), nil
}

// regionCatalogs holds the catalogs ForRegion made, by region.
var regionCatalogs sync.Map

// forRegion makes region's catalog from base and the price table.
func forRegion(base *Catalog, region string) (*Catalog, error) {
	header, rows, err := readPrices()
	if err != nil {
		return nil, err
	}
	col := slices.Index(header, region)
	if col < 1 {
		return nil, fmt.Errorf("catalog: no price table for region %q; regions with prices: %s", region, strings.Join(Regions(), ", "))
	}
	c := &Catalog{Region: region, Source: RegionPriceSource(region), notOffered: map[string]bool{}}
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
