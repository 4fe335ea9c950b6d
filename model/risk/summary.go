package risk

import (
	"encoding/json"
	"math"
)

// Number is a float64 written to JSON as null when it is not finite.
type Number float64

// MarshalJSON writes null for ±Inf and NaN.
func (x Number) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// UnmarshalJSON reads null as +Inf (nines of a service never down).
func (x *Number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*x = Number(math.Inf(1))
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*x = Number(f)
	return nil
}

// Summary is what risk.json reports for one variant.
type Summary struct {
	Variant string   `json:"variant"`
	Method  string   `json:"method"`
	Years   int      `json:"years"` // simulated years (rows of the YLT)
	AAL     Estimate `json:"aal"`
	// AALReduction is the baseline's AAL less this option's, estimated
	// year by year on the same sampled years (paired; see Reduction);
	// absent for the baseline.
	AALReduction *Estimate    `json:"aal_reduction,omitempty"`
	AEP          []EPPoint    `json:"aep"`
	OEP          []EPPoint    `json:"oep"`
	TVaR         []TVaRPoint  `json:"tvar"`
	Service      []ServiceRow `json:"services"`
	// Incidents splits the AAL by incident type; "background" is the loss
	// no catalogue incident carries.
	Incidents []IncidentShare `json:"incidents"`
}

// ServiceRow is one service's annual availability.
type ServiceRow struct {
	Name string `json:"name"`
	// DowntimeHPerYear is the expected hours down per year, D.
	DowntimeHPerYear Estimate `json:"downtime_h_per_year"`
	// Availability is A = 1 − D/8760 with the interval mapped from D's.
	Availability Estimate `json:"availability"`
	// Nines is −log10(1 − A) (+Inf, written null, when never down).
	Nines Number `json:"nines"`
}

// IncidentShare is one incident type's part of the AAL.
type IncidentShare struct {
	Name  string   `json:"name"`
	AAL   Estimate `json:"aal"`
	Share float64  `json:"share"` // AAL_k / AAL
}

// Nines returns −log10(1 − a): 0.999 is 3 nines.
func Nines(a float64) float64 { return -math.Log10(1 - a) }

// Summarize reads everything risk.json reports from the table. seed fixes
// the bootstrap stream of the TVaR intervals.
func (t *YLT) Summarize(seed uint64) Summary {
	s := Summary{Variant: t.Variant, Method: t.Method.String(), Years: t.Len(), Service: []ServiceRow{}}
	s.AAL = t.AAL()
	agg := t.NewCurve(t.Loss)
	s.AEP = agg.points(ReturnPeriods)
	s.OEP = t.NewCurve(t.MaxEvent).points(ReturnPeriods)
	s.TVaR = agg.TVaR(TVaRLevels, seed)
	nS := len(t.Services)
	for k, name := range t.Services {
		d := t.Mean(func(i int) float64 { return t.Downtime[i*nS+k] })
		a := Estimate{
			Mean: 1 - d.Mean/HoursPerYear,
			CI95: Interval{1 - d.CI95[1]/HoursPerYear, 1 - d.CI95[0]/HoursPerYear},
			N:    d.N,
		}
		s.Service = append(s.Service, ServiceRow{Name: name, DowntimeHPerYear: d, Availability: a, Nines: Number(Nines(a.Mean))})
	}
	nK := len(t.Incidents)
	rest := t.Mean(func(i int) float64 {
		l := t.Loss[i]
		for k := range nK {
			l -= t.ByIncident[i*nK+k]
		}
		return l
	})
	for k, name := range t.Incidents {
		e := t.Mean(func(i int) float64 { return t.ByIncident[i*nK+k] })
		s.Incidents = append(s.Incidents, IncidentShare{Name: name, AAL: e, Share: share(e.Mean, s.AAL.Mean)})
	}
	s.Incidents = append(s.Incidents, IncidentShare{Name: "background", AAL: rest, Share: share(rest.Mean, s.AAL.Mean)})
	return s
}

func share(part, whole float64) float64 {
	if whole == 0 {
		return 0
	}
	return part / whole
}
