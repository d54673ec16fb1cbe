package report

import (
	"strconv"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// Rollout is one of a Deployment's rollouts as the event log tells it: from
// DeploymentRevision (a set_image, or a rollback to an earlier image) to
// DeploymentComplete. A Deployment's first rollout has no revision event:
// it starts with the run (Initial).
type Rollout struct {
	Deployment string
	Change     string // "revision 2: IMAGE", "rolled back to IMAGE"; "created" for the first
	Start, End des.Time
	Outcome    string // OutcomeCompleted, OutcomeSuperseded or OutcomeInProgress
	Initial    bool
	// MaxSurge is the most pods the Deployment had, not terminating, above
	// its replicas while the rollout ran, from the pods' events; -1 when
	// the run left pod events out (Settings.PodEvents off).
	MaxSurge int
	// SurgeLimit is the strategy's maxSurge, resolved against the replicas
	// when the rollout started (ResolveFenceposts); -1 for Recreate.
	SurgeLimit int
}

// Took is the rollout's duration, to the end of the run if it never ended.
func (r *Rollout) Took() des.Time { return r.End - r.Start }

// JobRun is one Job object: from JobCreated to JobComplete or JobFailed.
type JobRun struct {
	Job        string // the scenario's job (a CronJob's runs share it)
	Name       string // the Job object: "nightly-report-29461380"
	Start, End des.Time
	Outcome    string // "complete", "failed", OutcomeInProgress
	Reason     string // the event's: "Completed: 24 succeeded", "BackoffLimitExceeded: ..."
}

// Rollouts reads every Deployment rollout from an EKS run's event log, in
// the order they started; nil for an ECS run.
func Rollouts(res *sim.Result) []Rollout {
	ec := res.Config.EKS
	if res.EKS == nil || ec == nil {
		return nil
	}
	var out []Rollout
	open := map[string]int{} // deployment -> index in out of its open rollout
	replicas := map[string]int{}
	cfg := map[string]*eks.Deployment{}
	for i := range ec.Deployments {
		d := &ec.Deployments[i]
		replicas[d.Name], cfg[d.Name] = d.Replicas, d
	}
	// limit is the strategy's maxSurge against the replicas now.
	limit := func(name string) int {
		d := cfg[name]
		if d == nil || d.Recreate {
			return -1
		}
		surge, _ := eks.ResolveFenceposts(d.MaxSurge, d.MaxUnavailable, replicas[name])
		return surge
	}
	known := ec.Settings.PodEvents
	live := map[string]map[string]bool{} // deployment -> pods not terminating
	surge := func(name string) {
		if i, ok := open[name]; ok && known {
			out[i].MaxSurge = max(out[i].MaxSurge, len(live[name])-replicas[name])
		}
	}
	for i := range res.Events {
		e := &res.Events[i]
		switch e.Type {
		case eks.EventNewRevision:
			if j, ok := open[e.Subject]; ok {
				out[j].End, out[j].Outcome = e.At, OutcomeSuperseded
			}
			open[e.Subject] = len(out)
			out = append(out, Rollout{Deployment: e.Subject, Change: e.Reason, Start: e.At, End: res.End,
				Outcome: OutcomeInProgress, MaxSurge: rolloutSurge(known), SurgeLimit: limit(e.Subject)})
			surge(e.Subject)
		case eks.EventDeploymentComplete:
			j, ok := open[e.Subject]
			if !ok { // the first rollout, with the run
				j = len(out)
				out = append(out, Rollout{Deployment: e.Subject, Change: "created", Initial: true,
					MaxSurge: rolloutSurge(known), SurgeLimit: limit(e.Subject)})
			}
			delete(open, e.Subject)
			out[j].End, out[j].Outcome = e.At, OutcomeCompleted
		case eks.EventScaled:
			if n, err := strconv.Atoi(strings.TrimPrefix(e.Reason, "replicas ")); err == nil {
				replicas[e.Subject] = n
			}
		case eks.EventPodCreated, eks.EventPodKilling, eks.EventPodDeleted, eks.EventPodPhase:
			name, ok := strings.CutPrefix(e.Group, "deployment:")
			if !ok {
				continue
			}
			if live[name] == nil {
				live[name] = map[string]bool{}
			}
			switch {
			case e.Type == eks.EventPodCreated:
				live[name][e.Subject] = true
				surge(name)
			case e.Type != eks.EventPodPhase || e.Status == eks.PhaseSucceeded.String() || e.Status == eks.PhaseFailed.String():
				delete(live[name], e.Subject)
			}
		}
	}
	return out
}

func rolloutSurge(known bool) int {
	if known {
		return 0
	}
	return -1
}

// JobRuns reads every Job object of an EKS run from its event log, in the
// order they were created; nil for an ECS run.
func JobRuns(res *sim.Result) []JobRun {
	ec := res.Config.EKS
	if res.EKS == nil || ec == nil {
		return nil
	}
	var out []JobRun
	at := map[string]int{}
	for i := range res.Events {
		e := &res.Events[i]
		switch e.Type {
		case eks.EventJobCreated:
			job := e.Subject
			for _, j := range ec.Jobs {
				if e.Subject == j.Name || j.Every > 0 && strings.HasPrefix(e.Subject, j.Name+"-") {
					job = j.Name
					break
				}
			}
			at[e.Subject] = len(out)
			out = append(out, JobRun{Job: job, Name: e.Subject, Start: e.At, End: res.End, Outcome: OutcomeInProgress})
		case eks.EventJobComplete, eks.EventJobFailed:
			i, ok := at[e.Subject]
			if !ok {
				continue
			}
			out[i].End, out[i].Reason, out[i].Outcome = e.At, e.Reason, "complete"
			if e.Type == eks.EventJobFailed {
				out[i].Outcome = "failed"
			}
		}
	}
	return out
}
