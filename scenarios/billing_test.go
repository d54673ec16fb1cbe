package scenarios

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// burstSource is an EC2-only library scenario (no Fargate), in us-east-1a-c.
func burstSource(t *testing.T) string {
	src, err := fs.ReadFile(LibraryFS(), "burst-scale-out.toml")
	require.NoError(t, err)
	return string(src)
}

func inGovWest(src string) string {
	src = strings.Replace(src, `duration = "8h"`, "duration = \"8h\"\nregion = \"us-gov-west-1\"", 1)
	return strings.ReplaceAll(src, "us-east-1", "us-gov-west-1")
}

func TestTheRegionChoosesThePriceTableAndItsZones(t *testing.T) {
	s, err := parseLibrary(inGovWest(burstSource(t)))
	require.NoError(t, err)
	assert.Equal(t, "us-gov-west-1", s.Config.Region)
	it := s.Config.Groups[0].InstanceTypes[0]
	assert.Equal(t, "m5.xlarge", it.Name)
	assert.InDelta(t, 0.242, it.PriceUSDPerHour, 1e-9, "AWS's us-gov-west-1 price, which the lowest-price allocation reads too")
	assert.Nil(t, s.Config.Billing, "no [billing] table: none")
}

// A scenario in eu-west-1 reads that region's column of the price table
// (the AWS Pricing Calculator feed: m5.xlarge $0.214 an hour) and its zones,
// eu-west-1a to eu-west-1c; ca-central-1 has no zone c.
func TestACommercialRegionIsPricedAndItsZonesChecked(t *testing.T) {
	inRegion := func(src, region string) string {
		src = strings.Replace(src, `duration = "8h"`, "duration = \"8h\"\nregion = \""+region+"\"", 1)
		return strings.ReplaceAll(src, "us-east-1", region)
	}
	s, err := parseLibrary(inRegion(burstSource(t), "eu-west-1"))
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", s.Config.Region)
	it := s.Config.Groups[0].InstanceTypes[0]
	assert.Equal(t, "m5.xlarge", it.Name)
	assert.InDelta(t, 0.214, it.PriceUSDPerHour, 1e-9)

	_, err = parseLibrary(inRegion(burstSource(t), "ca-central-1"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `want an Availability Zone of ca-central-1, ca-central-1a to ca-central-1d, found "ca-central-1c"`)
}

func TestRegionProblems(t *testing.T) {
	tests := []struct {
		name, want string
		edit       func(string) string
	}{
		{"a region without prices",
			`test.toml:10: region: want a region with a price table: af-south-1, ap-east-1, ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-north-1, eu-south-1, eu-west-1, eu-west-2, eu-west-3, sa-east-1, us-east-1, us-east-2, us-gov-east-1, us-gov-west-1, us-west-1, us-west-2, found "ap-southeast-3"`,
			func(s string) string {
				return strings.Replace(s, `duration = "8h"`, "duration = \"8h\"\nregion = \"ap-southeast-3\"", 1)
			}},
		{"a zone the region lacks",
			`cluster.availability_zones.2: want an Availability Zone of us-gov-west-1, us-gov-west-1a to us-gov-west-1c, found "us-gov-west-1d"`,
			func(s string) string {
				return strings.Replace(inGovWest(s), `"us-gov-west-1c"]`, `"us-gov-west-1d"]`, 1)
			}},
		{"a type the region does not offer",
			`auto_scaling_groups.asg-batch.instance_types.0: want an EC2 instance type in the us-gov-west-1 catalog, found "a1.large" (AWS's price table has no a1.large in us-gov-west-1)`,
			func(s string) string {
				return strings.Replace(inGovWest(s), `"m5.xlarge", "m5.2xlarge"`, `"a1.large"`, 1)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseLibrary(tc.edit(burstSource(t)))
			require.Error(t, err)
			assert.Contains(t, problemsOf(t, err).Error(), tc.want)
		})
	}
}

func TestAFargateScenarioOutsideUSEast1IsAProblem(t *testing.T) {
	src := strings.ReplaceAll(defaultSource(t), "us-east-1", "us-gov-east-1")
	_, err := parseLibrary(src)
	require.Error(t, err)
	assert.Contains(t, problemsOf(t, err).Error(), `region: want us-east-1 for a scenario that runs Fargate tasks, found "us-gov-east-1"`)
}

const billingTable = `
[billing]
commitment_curve_steps = 10
enterprise_discount = 0.05
ebs_root_volume_gb = 30
public_ipv4_per_instance = 1

[[billing.savings_plan]]
type = "compute"
commitment_usd_per_hour = 1.5
term = "3yr"
payment = "all_upfront"
fargate_discount = 0.4

[[billing.savings_plan]]
type = "ec2_instance"
family = "m5"
commitment_usd_per_hour = 0.25
discount = 0.45

[[billing.reserved_instance]]
instance_type = "m5.xlarge"
count = 3
zone = "us-east-1b"

[[billing.reserved_instance]]
instance_type = "c5.large"
offering_class = "convertible"
term = "3yr"
`

func TestABillingTableBuildsTheCommitments(t *testing.T) {
	s, err := parseLibrary(burstSource(t) + billingTable)
	require.NoError(t, err)
	b := s.Config.Billing
	require.NotNil(t, b)
	assert.Equal(t, "linux", b.OperatingSystem)
	assert.Equal(t, "x86_64", b.FargateArchitecture)
	assert.Equal(t, 10, b.CurveSteps)
	assert.Equal(t, 0.05, b.EnterpriseDiscount)
	assert.Equal(t, 30, b.EBSRootGB)
	assert.Equal(t, 1, b.PublicIPv4PerInstance)
	assert.Zero(t, b.PublicIPv4PerFargateTask)
	assert.Zero(t, b.FargateWindowsMinimum, "none set: Fargate's one-minute minimum")
	require.Len(t, b.SavingsPlans, 2)
	assert.Equal(t, catalog.SavingsPlan{Type: "compute", CommitmentUSDPerHour: 1.5, Term: "3yr", Payment: "all_upfront",
		Discount: catalog.DefaultDiscount("compute", "3yr", "all_upfront"), FargateDiscount: 0.4}, b.SavingsPlans[0])
	assert.Equal(t, catalog.SavingsPlan{Type: "ec2_instance", Family: "m5", CommitmentUSDPerHour: 0.25, Term: "1yr", Payment: "no_upfront",
		Discount: 0.45, FargateDiscount: 0.45}, b.SavingsPlans[1])
	assert.Equal(t, []catalog.ReservedInstance{
		{InstanceType: "m5.xlarge", Count: 3, Zone: "us-east-1b", Class: "standard", Term: "1yr", Payment: "no_upfront",
			Discount: catalog.DefaultDiscount("reserved_instance", "1yr", "no_upfront")},
		{InstanceType: "c5.large", Count: 1, Class: "convertible", Term: "3yr", Payment: "no_upfront",
			Discount: catalog.DefaultDiscount("convertible_reserved_instance", "3yr", "no_upfront")},
	}, b.ReservedInstances)
}

func TestTheWindowsFargateMinimumIsASetting(t *testing.T) {
	src := strings.Replace(burstSource(t)+billingTable, "commitment_curve_steps = 10", "commitment_curve_steps = 10\nfargate_windows_minimum_minutes = 15", 1)
	s, err := parseLibrary(src)
	require.NoError(t, err)
	assert.Equal(t, 15*time.Minute, s.Config.Billing.FargateWindowsMinimum)

	_, err = parseLibrary(strings.Replace(src, "minutes = 15", "minutes = 0", 1))
	assert.ErrorContains(t, err, "billing.fargate_windows_minimum_minutes")
}

func TestBillingProblemsNameTheirKey(t *testing.T) {
	tests := []struct {
		name, edit, want string
	}{
		{"a misspelt plan type", `type = "compute"`, `billing.savings_plan.0.type: want one of compute, ec2_instance, found "comptue" (did you mean "compute"?)`},
		{"an EC2 Instance plan without a family", `family = "m5"`, `billing.savings_plan.1.family: want the instance family the plan covers, such as "m5", found none`},
		{"an unknown family", `family = "m5"`, `billing.savings_plan.1.family: want the name of one of the instance families of the us-east-1 catalog, found "m55"`},
		{"a misspelt reserved type", `instance_type = "m5.xlarge"`, `billing.reserved_instance.0.instance_type: want an EC2 instance type in the us-east-1 catalog, found "m5.xlarg" (did you mean m5.xlarge`},
		{"a reserved zone of another region", `zone = "us-east-1b"`, `billing.reserved_instance.0.zone: want an Availability Zone of us-east-1 (us-east-1a, `},
		{"a term AWS does not sell", `term = "3yr"`, `billing.savings_plan.0.term: want one of 1yr, 3yr, found "5yr"`},
		{"a discount of 1", `discount = 0.45`, `billing.savings_plan.1.discount`},
		{"Windows with EC2 groups", `commitment_curve_steps = 10`, `billing.operating_system: want linux for a scenario with Auto Scaling groups, found "windows"`},
		{"an unknown key", `commitment_curve_steps = 10`, `billing.commitment_steps: unknown key`},
	}
	replace := map[string]string{
		"a misspelt plan type":                  `type = "comptue"`,
		"an EC2 Instance plan without a family": ``,
		"an unknown family":                     `family = "m55"`,
		"a misspelt reserved type":              `instance_type = "m5.xlarg"`,
		"a reserved zone of another region":     `zone = "eu-west-1b"`,
		"a term AWS does not sell":              `term = "5yr"`,
		"a discount of 1":                       `discount = 1.0`,
		"Windows with EC2 groups":               "commitment_curve_steps = 10\noperating_system = \"windows\"",
		"an unknown key":                        `commitment_steps = 10`,
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := burstSource(t) + strings.Replace(billingTable, tc.edit, replace[tc.name], 1)
			_, err := parseLibrary(src)
			require.Error(t, err)
			msg := problemsOf(t, err).Error()
			assert.Contains(t, msg, tc.want)
			assert.Contains(t, msg, "test.toml:", "the file and line")
		})
	}
}

func TestEBSOutsideUSEast1IsAProblem(t *testing.T) {
	_, err := parseLibrary(inGovWest(burstSource(t)) + "\n[billing]\nebs_root_volume_gb = 30\npublic_ipv4_per_instance = 1\n")
	require.Error(t, err)
	msg := problemsOf(t, err).Error()
	assert.Contains(t, msg, `billing.ebs_root_volume_gb: want 0 outside us-east-1 (the gp3 price was read for us-east-1 only), found 30`)
	assert.NotContains(t, msg, "public_ipv4", "public IPv4 is priced in every region")
}

func TestFargateSpotWithARMIsAProblem(t *testing.T) {
	src := defaultSource(t) + "\n[billing]\nfargate_cpu_architecture = \"arm64\"\n"
	if !strings.Contains(src, "FARGATE_SPOT") {
		t.Skip("the default scenario has no FARGATE_SPOT")
	}
	_, err := parseLibrary(src)
	require.Error(t, err)
	assert.Contains(t, problemsOf(t, err).Error(), `billing.fargate_cpu_architecture: want Linux/x86_64 for a scenario with FARGATE_SPOT tasks, found "linux/arm64"`)
}

func TestPriceOverridesAreReadAndChecked(t *testing.T) {
	src := burstSource(t) + "\n[billing]\non_demand_usd_per_hour = { \"m5.xlarge\" = 0.15 }\nspot_discount_by_type = { \"m5.2xlarge\" = 0.6 }\n"
	s, err := parseLibrary(src)
	require.NoError(t, err)
	assert.Equal(t, map[string]float64{"m5.xlarge": 0.15}, s.Config.Billing.OnDemandUSDPerHour)
	assert.Equal(t, map[string]float64{"m5.2xlarge": 0.6}, s.Config.Billing.SpotDiscountByType)

	_, err = parseLibrary(burstSource(t) + "\n[billing]\non_demand_usd_per_hour = { \"m5.xlarg\" = 0.15 }\nspot_discount_by_type = { \"m5.large\" = 1.5 }\n")
	require.Error(t, err)
	msg := problemsOf(t, err).Error()
	assert.Contains(t, msg, `on_demand_usd_per_hour.m5.xlarg: want an EC2 instance type in the us-east-1 catalog, found "m5.xlarg" (did you mean m5.xlarge`)
	assert.Contains(t, msg, `spot_discount_by_type.m5.large`)
	assert.Contains(t, msg, "test.toml:")
}
