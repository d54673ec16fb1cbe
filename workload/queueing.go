package workload

import (
	"math"

	"gonum.org/v1/gonum/mathext"
	"time"
)

// ServiceModel turns a request rate and a number of running tasks into a
// queueing outcome, with each task an M/M/c server (choice: a task serves one
// request at a time, at a speed proportional to its vCPU):
//
//	μ = TaskVCPU / CPUSecondsPerRequest        requests per second per task
//	a = λ/μ (offered load, Erlangs), ρ = a/c   utilisation of c tasks
//
// Overload rule (choice): the tasks admit at most MaxUtilisation of their
// capacity c·μ; requests above that are dropped, and the admitted rate is
// queued. Without a cap an M/M/c queue at ρ >= 1 grows without bound.
type ServiceModel struct {
	CPUSecondsPerRequest float64       // CPU-seconds one request needs at 1 vCPU
	TaskVCPU             float64       // vCPU of one task (ECS CPU units / 1024)
	SLO                  time.Duration // latency objective; 0 means none
	MaxUtilisation       float64       // admission cap in (0, 1); 0 means 0.99
}

// Response is the steady-state outcome of one ServiceModel evaluation; rates
// are requests per second.
type Response struct {
	Offered, Served, Dropped float64
	Utilisation              float64       // ρ of the served rate, in [0, MaxUtilisation]
	WaitProbability          float64       // Erlang C: share of served requests that queue
	MeanResponse             time.Duration // E[T] = 1/μ + C/(cμ - λ), served requests
	TailShare                float64       // P(T > SLO) among served requests
	MissShare                float64       // (Served·TailShare + Dropped) / Offered
}

// Respond evaluates the model for ratePerSec requests per second on tasks
// running tasks, normally once a simulated minute with that minute's mean
// rate. With no tasks everything offered is dropped.
func (m ServiceModel) Respond(ratePerSec float64, tasks int) Response {
	res := Response{Offered: max(ratePerSec, 0)}
	mu := m.TaskVCPU / m.CPUSecondsPerRequest
	if tasks <= 0 || !(mu > 0) || math.IsInf(mu, 0) {
		res.Dropped = res.Offered
		res.MissShare = missShare(res)
		return res
	}
	capMax := m.MaxUtilisation
	if !(capMax > 0 && capMax < 1) {
		capMax = 0.99
	}
	c := float64(tasks)
	res.Served = min(res.Offered, capMax*c*mu)
	res.Dropped = res.Offered - res.Served
	a := res.Served / mu
	res.Utilisation = a / c
	res.WaitProbability = ErlangC(tasks, a)
	res.MeanResponse = secondsToDuration(1/mu + res.WaitProbability/(c*mu-res.Served))
	if m.SLO > 0 {
		res.TailShare = responseTail(tasks, res.Served, mu, m.SLO, res.WaitProbability) // C is ErlangC(tasks, a): computed once
	}
	res.MissShare = missShare(res)
	return res
}

func missShare(r Response) float64 {
	if r.Offered == 0 {
		return 0
	}
	return (r.Served*r.TailShare + r.Dropped) / r.Offered
}

// ErlangB returns the Erlang B blocking probability of c servers under
// offered load a Erlangs, by the recursion B(0) = 1,
// B(k) = a B(k-1) / (k + a B(k-1)), which is stable for any c (O(c) time).
// Past 64 servers it uses the equivalent closed form B = P(X = c) /
// P(X <= c) for X ~ Poisson(a), with the regularized incomplete gamma
// function for the denominator: O(sqrt(a)) instead of O(c).
func ErlangB(c int, a float64) float64 {
	if a <= 0 {
		if c <= 0 {
			return 1
		}
		return 0
	}
	if c > 64 {
		lg, _ := math.Lgamma(float64(c) + 1)
		return math.Exp(float64(c)*math.Log(a)-a-lg) / mathext.GammaIncRegComp(float64(c)+1, a)
	}
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// ErlangC returns the probability that an arrival waits in an M/M/c queue
// with c servers and offered load a = λ/μ Erlangs:
// C = c B / (c - a (1 - B)) with B = ErlangB(c, a). It is 1 when a >= c.
func ErlangC(c int, a float64) float64 {
	if c <= 0 || a >= float64(c) {
		return 1
	}
	if a <= 0 {
		return 0
	}
	b := ErlangB(c, a)
	return float64(c) * b / (float64(c) - a*(1-b))
}

// ResponseTail returns P(T > t) for the response time T (wait plus service)
// of an FCFS M/M/c queue with c servers, arrival rate lambda and service rate
// mu per server, both per second. With C = ErlangC(c, λ/μ) and δ = cμ - λ:
//
//	P(T > t) = e^{-μt} (1 + C μ (1 - e^{-(δ-μ)t}) / (δ - μ))
//
// and, when δ = μ, e^{-μt} (1 + C μ t). The form with expm1 is used so that
// δ close to μ loses no precision. It is 1 when λ >= cμ.
func ResponseTail(c int, lambda, mu float64, t time.Duration) float64 {
	if c <= 0 || lambda >= float64(c)*mu || t <= 0 {
		return 1
	}
	return responseTail(c, lambda, mu, t, ErlangC(c, lambda/mu))
}

// responseTail is ResponseTail given C = ErlangC(c, lambda/mu).
func responseTail(c int, lambda, mu float64, t time.Duration, C float64) float64 {
	if c <= 0 || lambda >= float64(c)*mu {
		return 1
	}
	s := t.Seconds()
	if s <= 0 {
		return 1
	}
	delta := float64(c)*mu - lambda
	d := delta - mu
	em := math.Exp(-mu * s)
	if -d*s > 700 {
		// e^{-(δ-μ)t} would overflow: use the unfactored form.
		return min(em+C*mu*(math.Exp(-delta*s)-em)/(-d), 1)
	}
	f := s // (1 - e^{-d s}) / d, whose limit at d = 0 is s
	if x := d * s; x != 0 {
		f = -math.Expm1(-x) / d
	}
	return min(em*(1+C*mu*f), 1)
}
