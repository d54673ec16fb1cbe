package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
)

// The EKS page's Fargate parts (a run whose cluster has Fargate profiles):
// a "Fargate" row per profile in the cost table, a Fargate section with
// the profiles' pods, sizes and cost, and a card.

type eksFargateView struct {
	Profiles []eksFargateRow
	Total    string
	Pods     string
}

type eksFargateRow struct{ Name, Selectors, Pods, Peak, Sizes, VCPUHours, GBHours, USD, Share string }

// eksFargate fills the Fargate rows of the cost table and the section.
func eksFargate(v *eksView, res *sim.Result, ek *EKSCost) {
	ec, s := res.Config.EKS, res.Summary.EKS
	if ec == nil || len(ec.FargateProfiles) == 0 || s == nil || s.Fargate == nil {
		return
	}
	fv := &eksFargateView{Pods: count(s.Fargate.Pods)}
	usd := map[string]USD{}
	if ek.Fargate != nil {
		for _, p := range ek.Fargate.ByProfile {
			usd[p.Profile] = p.USD
		}
		fv.Total = money(ek.Fargate.USD)
	}
	// vCPU- and GB-hours per profile, billed as ComputeEKSFargateCost bills.
	p := PricesFor(res.Config)
	cpuH, gbH := map[string]float64{}, map[string]float64{}
	for _, u := range res.EKS.Fargate {
		secs := float64(BilledSeconds(u.Start, u.Stop, p.FargateMinimum))
		cpuH[u.Profile] += float64(u.CPU) * secs / (1024 * 3600)
		gbH[u.Profile] += float64(u.MemoryMiB) * secs / (1024 * 3600)
	}
	var rows []eksCostRow
	for i, fp := range ec.FargateProfiles {
		ps := s.Fargate.Profiles[i]
		var sel []string
		for _, x := range fp.Selectors {
			t := "namespace " + x.Namespace
			keys := make([]string, 0, len(x.Labels))
			for k := range x.Labels {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				t += ", " + k + "=" + x.Labels[k]
			}
			sel = append(sel, t)
		}
		var sizes []string
		for _, k := range byCount(ps.Sizes) {
			sizes = append(sizes, fmt.Sprintf("%s × %d", k, ps.Sizes[k]))
		}
		row := eksFargateRow{Name: fp.Name, Selectors: strings.Join(sel, "; "), Pods: count(ps.Pods), Peak: count(ps.PeakPods),
			Sizes: strings.Join(sizes, ", "), VCPUHours: decimal(cpuH[fp.Name], 1), GBHours: decimal(gbH[fp.Name], 1),
			USD: money(usd[fp.Name]), Share: share(usd[fp.Name], ek.TotalUSD)}
		if row.Sizes == "" {
			row.Sizes = "–"
		}
		fv.Profiles = append(fv.Profiles, row)
		rows = append(rows, eksCostRow{Name: "Fargate profile " + fp.Name, CapacityType: "Fargate", Nodes: count(ps.Pods) + " pods",
			Hours: decimal(cpuH[fp.Name], 1) + " vCPU-h", USD: money(usd[fp.Name]), Share: share(usd[fp.Name], ek.TotalUSD)})
	}
	v.Cost = slices.Insert(v.Cost, max(len(v.Cost)-1, 0), rows...) // before the control plane's row
	// The workloads table says which workloads ran on Fargate.
	for i, w := range s.Workloads {
		if w.FargatePods > 0 && i < len(v.Workloads) {
			v.Workloads[i].Kind += " on Fargate"
		}
	}
	v.Fargate = fv
}

// eksFargateCard is the Fargate card: pods, the most at once, the cost.
func eksFargateCard(res *sim.Result, ek *EKSCost) (card, bool) {
	s := res.Summary.EKS
	if s == nil || s.Fargate == nil || ek.Fargate == nil {
		return card{}, false
	}
	return card{"Pods on Fargate", count(s.Fargate.Pods), fmt.Sprintf("%s at the end, at most %s at once; %s, %s of the bill",
		count(s.Fargate.AtEnd), count(s.Fargate.PeakPods), money(ek.Fargate.USD), share(ek.Fargate.USD, ek.TotalUSD))}, true
}

// eksFargatePriceNote is the Fargate sentence of the price notes.
func eksFargatePriceNote(res *sim.Result) string {
	p := PricesFor(res.Config)
	return fmt.Sprintf("Fargate pods: their provisioned vCPU and memory (the 256 MB EKS adds included) per second from the start of the image pull to the pod's end, one-minute minimum, at $%g per vCPU-hour and $%g per GB-hour.",
		p.Fargate.USDPerVCPUHour, p.Fargate.USDPerGBHour)
}

// eksFargateTemplate is the Fargate section, after the node groups.
const eksFargateTemplate = `{{define "eks-fargate"}}{{with .Fargate}}<section id="fargate">
<h2>Fargate</h2>
<div class="scroll"><table>
<thead><tr><th>Fargate profile</th><th class="text">selectors</th><th>pods</th><th>most at once</th><th class="text">sizes (pods)</th><th>vCPU-hours</th><th>GB-hours</th><th>cost</th><th>cost share</th></tr></thead>
<tbody>
{{range .Profiles}}<tr><td>{{.Name}}</td><td class="text">{{.Selectors}}</td><td>{{.Pods}}</td><td>{{.Peak}}</td><td class="text">{{.Sizes}}</td><td>{{.VCPUHours}}</td><td>{{.GBHours}}</td><td>{{.USD}}</td><td>{{.Share}}</td></tr>
{{end}}</tbody></table></div>
<p class="note">{{.Pods}} pods ran on Fargate, each on a Fargate node of its own (fargate-ip-… in events.csv and state.json), never counted as an EC2 node. A pod matching a profile's selector (its namespace and every label) when it is created goes to the fargate-scheduler instead of kube-scheduler; DaemonSet pods never do. Size: the pod's requests (the larger of its biggest init container and its containers' sum) plus 256 MB, rounded up to a Fargate size. Billed per second from the start of the image pull to the pod's end, one-minute minimum (cost.json: eks.fargate).</p>
</section>
{{end}}{{end}}`

// eksCostPerDayCard is the cost-per-day card, saying Fargate when the run
// has Fargate pods.
func eksCostPerDayCard(ek *EKSCost) card {
	what := "EC2 nodes and the EKS control plane"
	if ek.Fargate != nil {
		what = "EC2 nodes, Fargate pods and the EKS control plane"
	}
	return card{"Cost per day", money(ek.PerDayUSD), what}
}
