package eks

import (
	"math/rand/v2"
	"strconv"

	"github.com/fleetsim/fleetsim/sim/des"
)

// Labels the Job controller puts on its pods (batch/v1: job-name and its
// prefixed form).
const (
	LabelJobName       = "job-name"
	LabelBatchJobName  = "batch.kubernetes.io/job-name"
	LabelControllerUID = "controller-uid"
)

// jobConfig is a Job's scenario entry at run time: its runs (one, or one
// per Every) and its random stream (run durations, failures).
type jobConfig struct {
	rand *rand.Rand
	runs []int // indexes into World.jobs
}

// jobRun is one Job object's controller state.
type jobRun struct {
	cfg        int
	name       string
	labels     map[string]string
	pods       []int32 // pods created, in order
	succeeded  int
	failed     int
	consecFail int
	done       bool
	failedJob  bool
	marked     bool
	backoffEnd des.Time
	backoffTmr des.Timer
	started    des.Time
	finished   des.Time
	deleted    bool // the CronJob's history limit removed it and its pods
}

// The CronJob controller's history limits (batch/v1 CronJobSpec defaults:
// successfulJobsHistoryLimit 3, failedJobsHistoryLimit 1): older finished
// Jobs of an Every are deleted with their pods.
const (
	SuccessfulJobsHistoryLimit = 3
	FailedJobsHistoryLimit     = 1
)

// pruneHistory deletes the finished runs of Job config j beyond the history
// limits, oldest first.
func (w *World) pruneHistory(j int) {
	var ok, failed []int
	for _, ji := range w.jobCfgs[j].runs {
		switch jr := &w.jobs[ji]; {
		case !jr.done || jr.deleted:
		case jr.failedJob:
			failed = append(failed, ji)
		default:
			ok = append(ok, ji)
		}
	}
	drop := func(runs []int, keep int) {
		for _, ji := range runs[:max(0, len(runs)-keep)] {
			jr := &w.jobs[ji]
			jr.deleted = true
			for _, pi := range jr.pods {
				w.gone(pi, "JobDeleted", "CronJob history limit")
			}
			w.workloadEvent(EventJobDeleted, "job", jr.name, "history limit")
		}
	}
	drop(ok, SuccessfulJobsHistoryLimit)
	drop(failed, FailedJobsHistoryLimit)
}

// onJobStart creates a Job object: at At, and with Every again each Every
// (a CronJob: its Jobs are named after the scheduled time in minutes since
// the epoch, as the CronJob controller names them).
func (w *World) onJobStart(_ des.Time, j int32) {
	jc := &w.cfg.Jobs[j]
	name := jc.Name
	if jc.Every > 0 {
		name += "-" + strconv.FormatInt(w.calendar(w.now()).Unix()/60, 10)
		w.eng.At(w.now()+des.At(jc.Every), w.k.jobStart, j)
	}
	ji := len(w.jobs)
	w.jobs = append(w.jobs, jobRun{cfg: int(j), name: name, started: w.now(),
		labels: withLabel(withLabel(jc.Template.Pod.Labels, LabelJobName, name), LabelBatchJobName, name)})
	w.jobCfgs[j].runs = append(w.jobCfgs[j].runs, ji)
	w.workloadEvent(EventJobCreated, "job", name, "")
	w.markJob(ji)
}

func (w *World) markJob(ji int) {
	jr := &w.jobs[ji]
	if jr.marked {
		return
	}
	jr.marked = true
	w.eng.At(w.now(), w.k.syncJob, int32(ji))
}

// jobBackoff is the Job controller's delay before a new pod after n
// consecutive failures: 10 s × 2^(n−1), at most 6 min (kubernetes.io Jobs,
// "Pod backoff failure policy").
func jobBackoff(n int) des.Time {
	if n <= 0 {
		return 0
	}
	d := JobBackoffInitial
	for i := 1; i < n && d < JobBackoffMax; i++ {
		d *= 2
	}
	return des.At(min(d, JobBackoffMax))
}

// syncJob is the Job controller's sync: tally finished pods; fail the Job
// once failures exceed backoffLimit (BackoffLimitExceeded), complete it at
// completions successes; otherwise keep min(parallelism, completions −
// succeeded) pods active, after the backoff of the last failures.
// Completions 0 is a work queue: parallelism pods until one succeeds, done
// when the others have finished.
func (w *World) syncJob(ji int) {
	jr := &w.jobs[ji]
	jr.marked = false
	jc := &w.cfg.Jobs[jr.cfg]
	active := 0
	for _, pi := range jr.pods {
		p := &w.pods[pi]
		switch {
		case p.tallied:
		case p.terminal && p.phase == PhaseSucceeded:
			p.tallied = true
			jr.succeeded++
			jr.consecFail = 0
		case p.terminal:
			p.tallied = true
			jr.failed++
			jr.consecFail++
			jr.backoffEnd = w.now() + jobBackoff(jr.consecFail)
		}
		if p.active() { // terminating pods are replaced (podReplacementPolicy TerminatingOrFailed)
			active++
		}
	}
	if jr.done {
		return
	}
	switch {
	case jr.failed > jc.BackoffLimit:
		jr.done, jr.failedJob, jr.finished = true, true, w.now()
		for _, pi := range jr.pods {
			w.deletePod(pi, "BackoffLimitExceeded", "Job has reached the specified backoff limit")
		}
		w.workloadEvent(EventJobFailed, "job", jr.name, "BackoffLimitExceeded: Job has reached the specified backoff limit")
		if jc.Every > 0 {
			w.pruneHistory(jr.cfg)
		}
		return
	case jc.Completions > 0 && jr.succeeded >= jc.Completions, jc.Completions <= 0 && jr.succeeded > 0 && active == 0:
		jr.done, jr.finished = true, w.now()
		w.workloadEvent(EventJobComplete, "job", jr.name, "Completed: "+strconv.Itoa(jr.succeeded)+" succeeded")
		if jc.Every > 0 {
			w.pruneHistory(jr.cfg)
		}
		return
	}
	want := jc.Parallelism
	if jc.Completions > 0 {
		want = min(jc.Parallelism, jc.Completions-jr.succeeded)
	} else if jr.succeeded > 0 {
		want = 0
	}
	want -= active
	if want <= 0 {
		return
	}
	if w.now() < jr.backoffEnd {
		w.eng.Cancel(jr.backoffTmr)
		jr.backoffTmr = w.eng.At(jr.backoffEnd, w.k.syncJob, int32(ji))
		return
	}
	for range want {
		pi := w.newPod(&jc.Template, w.podName(jr.name), jc.Namespace, jr.labels, ownJob, int32(ji), -1, w.jobWorkload(jr.cfg), nil, nil)
		jr = &w.jobs[ji]
		jr.pods = append(jr.pods, pi)
	}
}

// podRand is the random stream of a pod's workload.
func (w *World) podRand(p *pod) *rand.Rand {
	if p.kind == ownJob {
		return w.jobCfgs[w.jobs[p.owner].cfg].rand
	}
	if w.rec.bareRand == nil {
		w.rec.bareRand = w.eng.Stream("eks/pods")
	}
	return w.rec.bareRand
}

// onBarePod creates a bare pod at its At.
func (w *World) onBarePod(_ des.Time, i int32) {
	bp := &w.cfg.Pods[i]
	w.newPod(&bp.Template, bp.Name, bp.Namespace, bp.Template.Pod.Labels, ownBare, i, -1, w.bareWorkload(int(i)), nil, nil)
}
