package workload

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestErlang(t *testing.T) {
	// Reference values from the direct formulas
	//   B = (a^c/c!) / Σ_{k=0..c} a^k/k!,   C = (a^c/c! · c/(c-a)) / (Σ_{k<c} a^k/k! + a^c/c! · c/(c-a))
	// in exact rational arithmetic (c <= 100) or log-space sums (c = 10,000);
	// see Kleinrock, Queueing Systems Vol. 1 (1975), §3.5-3.6.
	tests := []struct {
		name  string
		c     int
		a     float64
		wantB float64
		wantC float64
	}{
		{"M/M/1: C equals ρ", 1, 0.5, 1.0 / 3, 0.5},
		{"M/M/2 at ρ = 0.5: B = 1/5, C = 1/3 (by hand)", 2, 1, 0.2, 1.0 / 3},
		{"M/M/3 at a = 2: B = 4/19, C = 4/9 (by hand)", 3, 2, 4.0 / 19, 4.0 / 9},
		{"10 lines at 5 Erlangs: the B table's 0.01838", 10, 5, 0.018384570336648132, 0.03610535915832019},
		{"10 servers at 8 Erlangs", 10, 8, 0.1216610642529515, 0.40918015079644354},
		{"100 servers at 90 Erlangs", 100, 90, 0.026957380464359214, 0.2169404809063664},
		{"1,000 servers at 950 Erlangs", 1000, 950, 0.0036492936889421655, 0.0682534153771372},
		{"10,000 servers at 9,900 Erlangs stays finite", 10_000, 9_900, 0.0028581267389063466, 0.22277692886717104},
		{"10,000 servers at 9,000 Erlangs: a tiny C, no underflow to NaN", 10_000, 9_000, 2.091619794429647e-26, 2.091619794429647e-25},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.InEpsilon(t, tc.wantB, ErlangB(tc.c, tc.a), 1e-9, "Erlang B")
			assert.InEpsilon(t, tc.wantC, ErlangC(tc.c, tc.a), 1e-9, "Erlang C")
		})
	}
}

func TestErlangEdges(t *testing.T) {
	assert.Equal(t, 1.0, ErlangC(4, 4), "a = c saturates")
	assert.Equal(t, 1.0, ErlangC(0, 1), "no servers")
	assert.Equal(t, 0.0, ErlangC(4, 0), "no load")
	assert.Equal(t, 0.0, ErlangB(4, 0), "no load")
	assert.Equal(t, 1.0, ErlangB(0, 3), "no servers block everything")
}

func TestResponseTail(t *testing.T) {
	tests := []struct {
		name string
		c    int
		lam  float64
		mu   float64
		t    time.Duration
		want float64
	}{
		{"M/M/1: T is exponential with rate μ-λ", 1, 0.5, 1, 2 * time.Second, math.Exp(-1)},
		{"M/M/2 with δ = μ: e^{-μt}(1 + Cμt)", 2, 1, 1, time.Second, math.Exp(-1) * (1 + 1.0/3)},
		{"M/M/2 at λ = 0.5 (C = 0.1, δ = 1.5): (1-C)e^{-μt} + C(δe^{-μt} - μe^{-δt})/(δ-μ)", 2, 0.5, 1, time.Second,
			0.9*math.Exp(-1) + 0.1*(1.5*math.Exp(-1)-math.Exp(-1.5))/0.5},
		{"zero latency: every request exceeds it", 3, 1, 1, 0, 1},
		{"saturated: every request exceeds it", 2, 2, 1, time.Hour, 1},
		{"δ far below μ does not overflow: C μ e^{-δt}/(μ-δ)", 100, 99.9, 1, 1000 * time.Second,
			ErlangC(100, 99.9) * math.Exp(-100) / 0.9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ResponseTail(tc.c, tc.lam, tc.mu, tc.t)
			assert.InEpsilon(t, tc.want, got, 1e-3)
			assert.False(t, math.IsNaN(got))
		})
	}
}

func TestServiceModelRespond(t *testing.T) {
	// 0.1 CPU-s per request on 0.5 vCPU tasks: μ = 5 req/s per task.
	m := ServiceModel{CPUSecondsPerRequest: 0.1, TaskVCPU: 0.5, SLO: 500 * time.Millisecond}
	tests := []struct {
		name  string
		rate  float64
		tasks int
		want  Response
	}{
		{"5 req/s on 2 tasks: ρ 0.5, C 1/3, E[T] = 0.2 + (1/3)/5 s", 5, 2, Response{
			Offered: 5, Served: 5, Utilisation: 0.5, WaitProbability: 1.0 / 3,
			MeanResponse: 266_666_667 * time.Nanosecond,
			TailShare:    math.Exp(-2.5) * (1 + 2.5/3), // δ = μ = 5: e^{-μt}(1 + Cμt)
		}},
		{"20 req/s on 2 tasks: 99% of 10 admitted, the rest dropped", 20, 2, Response{
			Offered: 20, Served: 9.9, Dropped: 10.1, Utilisation: 0.99,
		}},
		{"no tasks drop everything", 7, 0, Response{Offered: 7, Dropped: 7, MissShare: 1}},
		{"no load: pure service time", 0, 3, Response{MeanResponse: 200 * time.Millisecond, TailShare: math.Exp(-2.5)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := m.Respond(tc.rate, tc.tasks)
			assert.InDelta(t, tc.want.Offered, got.Offered, 1e-9)
			assert.InDelta(t, tc.want.Served, got.Served, 1e-9)
			assert.InDelta(t, tc.want.Dropped, got.Dropped, 1e-9)
			assert.InDelta(t, tc.want.Utilisation, got.Utilisation, 1e-9)
			if tc.want.MeanResponse != 0 {
				assert.Equal(t, tc.want.MeanResponse, got.MeanResponse)
				assert.InDelta(t, tc.want.WaitProbability, got.WaitProbability, 1e-9)
				assert.InDelta(t, tc.want.TailShare, got.TailShare, 1e-9)
			}
			if tc.want.MissShare != 0 {
				assert.InDelta(t, tc.want.MissShare, got.MissShare, 1e-9)
			}
		})
	}
}

func TestServiceModelOverloadIsConsistent(t *testing.T) {
	m := ServiceModel{CPUSecondsPerRequest: 0.1, TaskVCPU: 0.5, SLO: time.Second}
	got := m.Respond(20, 2)
	assert.InDelta(t, got.Offered, got.Served+got.Dropped, 1e-9)
	assert.InDelta(t, ErlangC(2, 1.98), got.WaitProbability, 1e-12)
	assert.InDelta(t, (got.Served*got.TailShare+got.Dropped)/got.Offered, got.MissShare, 1e-12)
	big := m.Respond(49_000, 10_000)
	assert.Less(t, big.MeanResponse, time.Second, "10,000 tasks at 98%% stay finite and fast")
	assert.False(t, math.IsNaN(big.TailShare))
}

// The closed form used past 64 servers agrees with the recursion.
func TestErlangBClosedFormMatchesTheRecursion(t *testing.T) {
	recursion := func(c int, a float64) float64 {
		b := 1.0
		for k := 1; k <= c; k++ {
			b = a * b / (float64(k) + a*b)
		}
		return b
	}
	for _, c := range []int{65, 100, 500, 2000} {
		for _, util := range []float64{0.3, 0.6, 0.9, 0.99, 1.2} {
			a := util * float64(c)
			want, got := recursion(c, a), ErlangB(c, a)
			assert.InDelta(t, 0, (got-want)/math.Max(want, 1e-300), 1e-9, "c=%d a=%g: %g vs %g", c, a, got, want)
		}
	}
}
