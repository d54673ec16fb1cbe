package ecs

import (
	"cmp"
	"github.com/fleetsim/fleetsim/sim/schema"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// accountID is the AWS account in the ARNs fleetsim writes.
const accountID = "123456789012"

// Outcome is what the ECS side of a run recorded: the per-minute series,
// each service's and job's summary, the final state, and the task usage
// records billing reads. sim puts it together with capacity's figures.
type Outcome struct {
	Series            schema.Series
	Services          []ServiceSummary
	BatchJobs         []JobSummary
	PlacementFailures map[string]int // tasks by first failure reason
	PeakServiceTasks  int
	PeakInstances     int         // launching + registered, at a minute's sample (after the warm-up, when there is one)
	PeakDuringWarmUp  int         // the same during Settings.WarmUp; 0 without one
	FargateSpotStops  int         // Fargate Spot interruptions
	State             StateSource // the final state, described when asked
	Providers         []ProviderInfo
	ProviderOfGroup   []int // per group, its capacity provider's index into Providers, or -1
	Owners            []OwnerInfo
	Tasks             TaskUsages
}

// ServiceSummary is one service's outcome.
type ServiceSummary struct {
	Name           string    `json:"name"`
	TaskDefinition string    `json:"task_definition"`
	DesiredAtEnd   int       `json:"desired_at_end"`
	RunningAtEnd   int       `json:"running_at_end"`
	PendingAtEnd   int       `json:"pending_at_end"`
	WaitingAtEnd   int       `json:"provisioning_at_end"`
	TasksStarted   int       `json:"tasks_started"`
	TasksStopped   int       `json:"tasks_stopped"`
	PlacementWait  WaitStats `json:"placement_wait"`
	// Requests, when the service has a load: offered and dropped over the
	// run, and the share served within the latency SLO (drops count as
	// misses); -1 without an SLO.
	RequestsOffered  float64 `json:"requests_offered"`
	RequestsDropped  float64 `json:"requests_dropped"`
	SLOAttainmentPct float64 `json:"slo_attainment_pct"`
	// AvailabilityPct is the share of minutes with at least the minimum
	// healthy count (minimumHealthyPercent of desired) healthy and running.
	AvailabilityPct float64 `json:"availability_pct"`
	// Queue, for a queue-consuming service: messages received and processed,
	// the largest backlog and the backlog at the end.
	Queue                *QueueSummary `json:"queue,omitempty"`
	DeploymentsCompleted int           `json:"deployments_completed"`
	DeploymentsFailed    int           `json:"deployments_failed"`
	RolledBack           int           `json:"rolled_back"`
	// SLO is the service's objectives judged (slo.go); nil without any.
	SLO *SLOSummary `json:"slo,omitempty"`
}

// QueueSummary is a queue consumer's outcome, in messages.
type QueueSummary struct {
	Received   float64 `json:"messages_received"`
	Processed  float64 `json:"messages_processed"`
	BacklogMax float64 `json:"backlog_max"`
	BacklogEnd float64 `json:"backlog_end"`
}

// JobSummary is one batch job's outcome.
type JobSummary struct {
	Name            string    `json:"name"`
	Submitted       int       `json:"submitted"`
	Completed       int       `json:"completed"`
	RunningAtEnd    int       `json:"running_at_end"`
	WaitingAtEnd    int       `json:"provisioning_at_end"`
	RunTaskFailures int       `json:"run_task_failures"`
	PlacementWait   WaitStats `json:"placement_wait"`
}

// WaitStats summarises placement waits (creation to PENDING), in seconds.
type WaitStats struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_s"`
	P95   float64 `json:"p95_s"`
	Max   float64 `json:"max_s"`
}

func waitStats(l *waitLog) WaitStats {
	if l.n == 0 {
		return WaitStats{}
	}
	s := l.sorted()
	// nearest-rank percentile
	pct := func(p float64) float64 {
		i := int(p*float64(len(s))+0.999999999) - 1
		return s[min(max(i, 0), len(s)-1)].Seconds()
	}
	return WaitStats{Count: len(s), P50: pct(0.50), P95: pct(0.95), Max: s[len(s)-1].Seconds()}
}

// Outcome returns what the run recorded, at its end. The run is over:
// what only running it needed (metrics, placement indexes, queues, and,
// when no final state is wanted, the tasks) is let go first, so that it is
// not kept while the result is put together. Called again, it returns the
// same Outcome.
func (w *World) Outcome() *Outcome {
	if w.outcome != nil {
		return w.outcome
	}
	w.dropRunState()
	r := &w.rec
	out := &Outcome{
		Series:            r.series,
		PlacementFailures: r.reasons,
		PeakServiceTasks:  r.peakServiceTasks,
		PeakInstances:     r.peakInstances,
		FargateSpotStops:  r.spotInterruptions,
		Services:          []ServiceSummary{},
		BatchJobs:         []JobSummary{},
		ProviderOfGroup:   w.providerOfGroup,
	}
	for si := range w.services {
		s := &w.services[si]
		c := r.counts[si]
		td := &w.cfg.TaskDefinitions[s.deps[s.primary()].def] // the PRIMARY deployment's
		sum := ServiceSummary{
			Name: s.cfg.Name, TaskDefinition: td.Family + ":" + strconv.Itoa(td.Revision),
			DesiredAtEnd: s.desired, RunningAtEnd: c[TaskRunning], PendingAtEnd: c[TaskPending],
			WaitingAtEnd: c[TaskProvisioning], TasksStarted: s.started, TasksStopped: s.stopped,
			PlacementWait:   waitStats(&r.waits[si]),
			RequestsOffered: math.Round(s.offered), RequestsDropped: math.Round(s.dropped), SLOAttainmentPct: -1,
			AvailabilityPct:      100,
			DeploymentsCompleted: s.completed, DeploymentsFailed: s.failed, RolledBack: s.rolledBack,
		}
		if s.cfg.Load != nil && s.cfg.Load.Queue {
			sum.Queue = &QueueSummary{Received: math.Round(s.received), Processed: math.Round(s.processed),
				BacklogMax: math.Round(s.backlogMax), BacklogEnd: math.Round(s.backlog)}
		}
		w.steadyService(si, &sum) // availability, SLO attainment and objectives
		out.Services = append(out.Services, sum)
	}
	for ji := range w.jobs {
		j := &w.jobs[ji]
		o := len(w.services) + ji
		out.BatchJobs = append(out.BatchJobs, JobSummary{
			Name: j.cfg.Name, Submitted: j.submitted, Completed: j.completed,
			RunningAtEnd: r.counts[o][TaskRunning], WaitingAtEnd: r.counts[o][TaskProvisioning],
			RunTaskFailures: j.failedToPlace, PlacementWait: waitStats(&r.waits[o]),
		})
	}
	out.PeakInstances, out.PeakDuringWarmUp = w.peaksAroundWarmUp()
	if !w.cfg.Settings.NoState {
		out.State = StateSource{w} // described when written: the tasks stay
	} else {
		w.tasks = nil
	}
	w.freeTasks = nil
	out.Tasks, out.Providers, out.Owners = w.usageResult(w.eng.Now())
	w.outcome = out
	return out
}

// dropRunState lets go what the run alone needed.
func (w *World) dropRunState() {
	for si := range w.services {
		if sc := w.services[si].scaler; sc != nil {
			sc.store = nil
		}
		s := &w.services[si]
		s.uo, s.ho = nil, nil
	}
	w.pool = pools{}
	for i := range w.specs {
		w.specs[i].bound = nil
	}
	w.queues, w.queueOf, w.busyQueues = nil, nil, nil
	w.spreadScratch, w.instSlot, w.needs = spreadCounts{}, nil, nil
}

// State is the final cluster as ECS's describe calls would show it
// (state.json). Field names follow the ECS API's JSON.
type State struct {
	ClusterName        string                   `json:"clusterName"`
	At                 string                   `json:"at"`
	ContainerInstances []ContainerInstanceState `json:"containerInstances"`
	Tasks              []TaskDescription        `json:"tasks"`
	Services           []ServiceDescription     `json:"services"`
}

// ContainerInstanceState is one DescribeContainerInstances entry.
type ContainerInstanceState struct {
	ContainerInstanceArn string          `json:"containerInstanceArn"`
	EC2InstanceID        string          `json:"ec2InstanceId"`
	InstanceType         string          `json:"instanceType"`
	AvailabilityZone     string          `json:"availabilityZone"`
	AutoScalingGroup     string          `json:"autoScalingGroupName"`
	Status               string          `json:"status"`
	AgentConnected       bool            `json:"agentConnected"`
	RegisteredAt         string          `json:"registeredAt,omitempty"`
	Attributes           []AttributeJSON `json:"attributes"`
	RegisteredResources  []ResourceJSON  `json:"registeredResources"`
	RemainingResources   []ResourceJSON  `json:"remainingResources"`
	RunningTasksCount    int             `json:"runningTasksCount"`
	PendingTasksCount    int             `json:"pendingTasksCount"`
	Tasks                []string        `json:"tasks"`
}

// AttributeJSON is an ECS attribute.
type AttributeJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ResourceJSON is an ECS resource; only INTEGER resources are written.
type ResourceJSON struct {
	Name         string `json:"name"`
	Type         string `json:"type"`
	IntegerValue int64  `json:"integerValue"`
}

// TaskDescription is one DescribeTasks entry, for tasks not STOPPED.
type TaskDescription struct {
	TaskArn              string `json:"taskArn"`
	Group                string `json:"group"`
	TaskDefinitionArn    string `json:"taskDefinitionArn"`
	LastStatus           string `json:"lastStatus"`
	DesiredStatus        string `json:"desiredStatus"`
	LaunchType           string `json:"launchType"`
	CapacityProviderName string `json:"capacityProviderName,omitempty"`
	ContainerInstance    string `json:"containerInstance,omitempty"`
	AvailabilityZone     string `json:"availabilityZone,omitempty"`
	CPU                  string `json:"cpu"`
	Memory               string `json:"memory"`
	CreatedAt            string `json:"createdAt"`
	StartedAt            string `json:"startedAt,omitempty"`
}

// ServiceDescription is one DescribeServices entry.
type ServiceDescription struct {
	ServiceName  string `json:"serviceName"`
	DesiredCount int    `json:"desiredCount"`
	RunningCount int    `json:"runningCount"`
	PendingCount int    `json:"pendingCount"`
}

func (w *World) arn(kind, id string) string {
	return "arn:aws:ecs:" + w.cfg.Region + ":" + accountID + ":" + kind + "/" + w.cfg.Cluster.Name + "/" + id
}

// stamp formats a time for state.json; tasks created together share one.
func (w *World) stamp(t des.Time) string {
	if m := &w.lastStamp; m.s == "" || m.t != t {
		m.t, m.s = t, w.calendar(t).Format(time.RFC3339)
	}
	return w.lastStamp.s
}

// StateSource describes the run's final state when asked: state.json's
// writer describes one container instance and one task at a time (Each)
// and so never holds the whole State, whose descriptions of a large run's
// instances and tasks (their ARNs, attributes, resources) were a fifth of
// a 10,000-instance day's allocations and its slowest memory to build; a
// run whose state nobody writes (a sweep's, a benchmark's) describes
// nothing. The zero StateSource (sim.Config.NoState, an EKS run)
// describes State{}. The world it reads is over: describing does not
// change what a run recorded, and describes the same bytes each time. It
// is not for concurrent use (it reuses the world's scratch).
type StateSource struct{ w *World }

// Describe returns the whole final state.
func (s StateSource) Describe() State {
	st := s.Header()
	if s.w == nil {
		return st
	}
	instances, tasks := s.Each()
	st.ContainerInstances = make([]ContainerInstanceState, 0, len(s.w.instances))
	_ = instances(func(c *ContainerInstanceState) error {
		st.ContainerInstances = append(st.ContainerInstances, *c)
		return nil
	})
	_ = tasks(func(t *TaskDescription) error {
		st.Tasks = append(st.Tasks, *t)
		return nil
	})
	return st
}

// Header is the final state without its container instances and tasks
// (empty lists, not nil): the cluster, the time and the services.
func (s StateSource) Header() State {
	w := s.w
	if w == nil {
		return State{}
	}
	st := State{ClusterName: w.cfg.Cluster.Name, At: w.stamp(w.eng.Now()),
		ContainerInstances: []ContainerInstanceState{}, Tasks: []TaskDescription{}}
	for si := range w.services {
		c := w.rec.counts[si]
		st.Services = append(st.Services, ServiceDescription{ServiceName: w.services[si].cfg.Name,
			DesiredCount: w.services[si].desired, RunningCount: c[TaskRunning], PendingCount: c[TaskPending]})
	}
	return st
}

// Each returns the two lists of the final state as functions that describe
// their entries one at a time, in order, and stop at the first error
// yield returns: instances, every container instance in the fleet's order,
// and tasks, every task not yet STOPPED in creation order. The two share
// the texts they repeat (an ARN is made once): call instances first. A
// description passed to yield is valid until yield returns. Both describe
// nothing for the zero StateSource.
func (s StateSource) Each() (instances func(yield func(*ContainerInstanceState) error) error, tasks func(yield func(*TaskDescription) error) error) {
	w := s.w
	if w == nil {
		none := func(func(*ContainerInstanceState) error) error { return nil }
		return none, func(func(*TaskDescription) error) error { return nil }
	}
	w.syncInstances()
	d := w.newDescriber()
	instances = func(yield func(*ContainerInstanceState) error) error {
		for i := range w.instances {
			c := w.describeInstance(d, int32(i))
			if err := yield(&c); err != nil {
				return err
			}
		}
		return nil
	}
	tasks = func(yield func(*TaskDescription) error) error {
		for _, ti := range w.liveTasks() {
			t := w.describeTask(d, ti)
			if err := yield(&t); err != nil {
				return err
			}
		}
		return nil
	}
	return instances, tasks
}

// liveTasks is every task not yet STOPPED, in creation order: IDs are hex
// counters of equal width. The sort reads (number, index) pairs, not the
// tasks: at 100,000 tasks a comparison that read two task records missed
// the cache on each (half a million misses, more than the rest of the
// final state's).
func (w *World) liveTasks() []int32 {
	type numbered struct {
		num uint32
		ti  int32
	}
	var live []numbered
	for ti := range w.tasks {
		if tk := &w.tasks[ti]; tk.counted >= 0 && tk.state < TaskStopped {
			live = append(live, numbered{tk.num, int32(ti)})
		}
	}
	slices.SortFunc(live, func(a, b numbered) int { return cmp.Compare(a.num, b.num) })
	out := make([]int32, len(live))
	for i, l := range live {
		out[i] = l.ti
	}
	return out
}

// describer holds the texts the final state repeats, each made once: a
// task's ARN is in its instance's list and in its own description, an
// instance's in each of its tasks', a task definition's ARN and a spec's
// CPU and memory in every task of theirs. (At 10,000 instances and 20,000
// tasks, made per use, they were a quarter of a day's run's allocations.)
type describer struct {
	instanceArn []string // by instance
	taskArn     []string // by task; "" until made
	defArn      []string // by task definition; "" until made
	cpu, mem    []string // by placement spec; "" until made
}

func (w *World) newDescriber() *describer {
	return &describer{instanceArn: make([]string, len(w.instances)), taskArn: make([]string, len(w.tasks)),
		defArn: make([]string, len(w.cfg.TaskDefinitions)), cpu: make([]string, len(w.specs)), mem: make([]string, len(w.specs))}
}

func (w *World) instanceArn(d *describer, i int32) string {
	if d.instanceArn[i] == "" {
		d.instanceArn[i] = w.arn("container-instance", w.instances[i].id)
	}
	return d.instanceArn[i]
}

func (w *World) taskArn(d *describer, t int32) string {
	if d.taskArn[t] == "" {
		d.taskArn[t] = w.arn("task", w.tasks[t].idString())
	}
	return d.taskArn[t]
}

func (w *World) describeInstance(d *describer, i int32) ContainerInstanceState {
	in := &w.instances[i]
	g := &w.cfg.Groups[in.group]
	status := w.statusOf(i)
	cs := ContainerInstanceState{
		ContainerInstanceArn: w.instanceArn(d, i),
		EC2InstanceID:        in.id,
		InstanceType:         in.typ.Name,
		AvailabilityZone:     in.zone,
		AutoScalingGroup:     g.Name,
		Status:               status.String(),
		AgentConnected:       status == InstanceActive || status == InstanceDraining,
		Attributes:           make([]AttributeJSON, 0, len(in.attrs)),
		Tasks:                make([]string, 0, len(in.tasks)),
	}
	if cs.AgentConnected {
		cs.RegisteredAt = w.stamp(in.regAt)
	}
	for _, a := range in.attrs {
		cs.Attributes = append(cs.Attributes, AttributeJSON{a.Name, a.Value})
	}
	cs.RegisteredResources = []ResourceJSON{{"CPU", "INTEGER", in.cpuRegistered}, {"MEMORY", "INTEGER", in.memRegistered}}
	cs.RemainingResources = []ResourceJSON{{"CPU", "INTEGER", in.cpuFree}, {"MEMORY", "INTEGER", in.memFree}}
	for _, t := range in.tasks {
		tk := &w.tasks[t]
		switch tk.state {
		case TaskRunning:
			cs.RunningTasksCount++
		case TaskPending:
			cs.PendingTasksCount++
		}
		cs.Tasks = append(cs.Tasks, w.taskArn(d, t))
	}
	return cs
}

func (w *World) describeTask(d *describer, ti int32) TaskDescription {
	t := &w.tasks[ti]
	sp := &w.specs[t.spec]
	p := &w.providers[t.provider]
	if d.defArn[sp.def] == "" {
		td := &w.cfg.TaskDefinitions[sp.def]
		d.defArn[sp.def] = "arn:aws:ecs:" + w.cfg.Region + ":" + accountID + ":task-definition/" + td.Family + ":" + strconv.Itoa(td.Revision)
	}
	if d.cpu[t.spec] == "" {
		d.cpu[t.spec], d.mem[t.spec] = strconv.FormatInt(sp.cpu, 10), strconv.FormatInt(sp.memMiB, 10)
	}
	desc := TaskDescription{
		TaskArn:           w.taskArn(d, ti),
		Group:             sp.group,
		TaskDefinitionArn: d.defArn[sp.def],
		LastStatus:        t.state.String(),
		DesiredStatus:     "RUNNING",
		LaunchType:        "EC2",
		CPU:               d.cpu[t.spec],
		Memory:            d.mem[t.spec],
		CreatedAt:         w.stamp(t.created),
	}
	if t.state >= TaskStopping {
		desc.DesiredStatus = "STOPPED"
	}
	if p.fargate {
		desc.LaunchType = "FARGATE"
	}
	if t.provider != provEC2Launch {
		desc.CapacityProviderName = p.name
	}
	if t.instance >= 0 {
		desc.ContainerInstance = w.instanceArn(d, t.instance)
		desc.AvailabilityZone = w.instances[t.instance].zone
	}
	if t.state >= TaskRunning {
		desc.StartedAt = w.stamp(t.started)
	}
	return desc
}
