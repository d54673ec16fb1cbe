package catalog

import (
	"strconv"
	"strings"
	"time"
)

// Billing is how a run is bought ([billing] in a scenario): the operating
// system and Fargate CPU architecture it is priced for, and the commitments
// (Savings Plans, Reserved Instances) that apply to its usage. The zero value
// is Linux/x86 On-Demand and Spot with no commitment.
type Billing struct {
	OperatingSystem     string // "linux" (default) or "windows"
	FargateArchitecture string // "x86_64" (default) or "arm64"
	SavingsPlans        []SavingsPlan
	ReservedInstances   []ReservedInstance
	CurveSteps          int // points of the commitment curve past 0 (default 20)
	// EnterpriseDiscount is a negotiated discount off the whole bill, taken
	// after the commitments (choice: AWS's private pricing terms are not
	// public; 0 for none).
	EnterpriseDiscount float64

	// The lines beyond compute, each off at 0: a gp3 root volume of
	// EBSRootGB on every EC2 instance, and public IPv4 addresses on every
	// instance and every Fargate task.
	EBSRootGB                int
	PublicIPv4PerInstance    int
	PublicIPv4PerFargateTask int

	// OnDemandUSDPerHour and SpotDiscountByType override the price table
	// per instance type (a negotiated price, a Spot price the scenario
	// knows); cost.json lists them beside the table's source.
	OnDemandUSDPerHour map[string]float64
	SpotDiscountByType map[string]float64
	// SpotPrices, when set, price Spot by type, zone and time; a type and
	// zone without a series keeps its discount (spotprice.go).
	SpotPrices *SpotPrices

	// FargateWindowsMinimum is the least time a Windows Fargate task is
	// billed; 0 or less than Fargate's one-minute minimum leaves that
	// minimum (choice: the copy of AWS's Fargate pricing page read shows no
	// other minimum for Windows; a scenario that expects one, such as 15
	// minutes, sets it).
	FargateWindowsMinimum time.Duration
}

// GP3USDPerGBMonth is the us-east-1 price of gp3 storage
// (https://aws.amazon.com/ebs/pricing/, the page's example rate), billed per
// second with a 60-second minimum, a month being 30 days of 86,400 seconds
// as in the page's example.
const GP3USDPerGBMonth = 0.08

// PublicIPv4USDPerHour is AWS's charge for each public IPv4 address since
// February 1, 2024, in every region (AWS News Blog, "New – AWS Public IPv4
// Address Charge + Public IP Insights").
const PublicIPv4USDPerHour = 0.005

// Savings Plan types.
const (
	ComputeSavingsPlan     = "compute"
	EC2InstanceSavingsPlan = "ec2_instance"
)

// SavingsPlan is an hourly spend commitment: each hour, usage it covers is
// charged at the Savings Plans rate, On-Demand x (1 - Discount), and the
// commitment is charged whether used or not.
type SavingsPlan struct {
	Type                 string  // ComputeSavingsPlan or EC2InstanceSavingsPlan
	CommitmentUSDPerHour float64 // the hourly commitment
	Term                 string  // "1yr" or "3yr"
	Payment              string  // "no_upfront", "partial_upfront" or "all_upfront"
	Family               string  // EC2InstanceSavingsPlan: the instance family (in the run's region)
	Discount             float64 // off On-Demand for EC2 usage
	FargateDiscount      float64 // ComputeSavingsPlan: off On-Demand for Fargate usage
}

// ReservedInstance is a Standard or Convertible Reserved Instance: Count
// instances of InstanceType, zonal (Zone set) or regional (Zone ""), paid
// every hour at On-Demand x (1 - Discount) whether used or not. The two
// classes apply alike to usage; they differ in price and in what can be
// exchanged, which a run does not do.
type ReservedInstance struct {
	InstanceType string
	Count        int
	Zone         string
	Class        string // "standard" (default) or "convertible"
	Term         string
	Payment      string
	Discount     float64
}

// DefaultDiscount is fleetsim's choice of discount off On-Demand for a
// commitment of kind ("compute", "ec2_instance", "reserved_instance" or
// "convertible_reserved_instance"),
// term and payment, used when a scenario gives none. These are not AWS's
// rates, which vary by type, region and date: AWS publishes only maxima
// ("up to 66%" for Compute Savings Plans and Convertible Reserved
// Instances, "up to 72%" for EC2 Instance Savings Plans and Standard
// Reserved Instances); the defaults sit well
// below them, 3yr above 1yr and more upfront above less, as AWS's are.
func DefaultDiscount(kind, term, payment string) float64 {
	base := map[string]float64{ComputeSavingsPlan: 0.27, EC2InstanceSavingsPlan: 0.36, "reserved_instance": 0.36,
		"convertible_reserved_instance": 0.27}[kind]
	if term == "3yr" {
		base += 0.20
	}
	switch payment {
	case "partial_upfront":
		base += 0.03
	case "all_upfront":
		base += 0.05
	}
	return base
}

// NormalizationFactor is the instance size's normalization factor for
// Reserved Instance size flexibility (EC2 User Guide, "Instance size
// flexibility for Regional Reserved Instances"): nano 0.25, micro 0.5,
// small 1, medium 2, large 4, xlarge 8, and Nxlarge 8N. Other sizes (metal,
// metal-48xl...) report false: fleetsim applies regional RIs to them only
// for their own type.
func NormalizationFactor(size string) (float64, bool) {
	switch size {
	case "nano":
		return 0.25, true
	case "micro":
		return 0.5, true
	case "small":
		return 1, true
	case "medium":
		return 2, true
	case "large":
		return 4, true
	case "xlarge":
		return 8, true
	}
	if n, ok := strings.CutSuffix(size, "xlarge"); ok {
		if k, err := strconv.Atoi(n); err == nil && k > 0 {
			return 8 * float64(k), true
		}
	}
	return 0, false
}
