package model

func readProfile(r *reader, path, name string, v any) *Profile {
	t := r.table(path, v)
	p := &Profile{Name: name}
	flat := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = 1
		}
		return x
	}
	if _, ok := v.(map[string]any); !ok {
		normalise(r, path, flat(24), p.Hourly[:])
		normalise(r, path, flat(7), p.Weekly[:])
		return p
	}
	// After a wrong element a count would mislead, so it is checked only
	// when the values themselves were fine.
	hasH := t.required("hourly")
	n := len(r.issues)
	h := t.floats("hourly")
	badH := len(r.issues) > n
	n = len(r.issues)
	w := t.floats("weekly")
	badW := len(r.issues) > n
	t.done()
	if len(h) != 24 {
		if hasH && !badH {
			r.errf(path+".hourly", "want 24 hourly values (00:00–23:00 local), got %d", len(h))
		}
		h = flat(24)
	}
	if w == nil {
		w = flat(7)
	}
	if len(w) != 7 {
		if !badW {
			r.errf(path+".weekly", "want 7 weekday values (Monday first), got %d", len(w))
		}
		w = flat(7)
	}
	normalise(r, path+".hourly", h, p.Hourly[:])
	normalise(r, path+".weekly", w, p.Weekly[:])
	return p
}

func normalise(r *reader, path string, in []float64, out []float64) {
	mx := 0.0
	for _, x := range in {
		if x < 0 {
			r.errf(path, "values must not be negative")
			return
		}
		mx = max(mx, x)
	}
	if mx == 0 {
		r.errf(path, "values must not all be zero")
		for i := range out {
			out[i] = 1
		}
		return
	}
	for i, x := range in {
		out[i] = x / mx
	}
}

// builtinProfiles are relative demand curves a scenario can name without
// defining: "flat"; "consumer", a messaging/social curve low at 04:00 and
// peaking at 21:00, busier at weekends; and "business", office hours on
// weekdays. Their shapes are assumptions, not measurements.
func builtinProfiles() map[string]*Profile {
	consumer := &Profile{Name: "consumer",
		Hourly: [24]float64{0.45, 0.3, 0.2, 0.15, 0.12, 0.15, 0.3, 0.5, 0.7, 0.8, 0.85, 0.85,
			0.9, 0.85, 0.8, 0.8, 0.8, 0.85, 0.9, 0.95, 0.97, 1, 0.9, 0.7},
		Weekly: [7]float64{0.9, 0.9, 0.9, 0.9, 0.95, 1, 1},
	}
	business := &Profile{Name: "business",
		Hourly: [24]float64{0.1, 0.08, 0.08, 0.08, 0.08, 0.1, 0.2, 0.45, 0.8, 1, 1, 0.95,
			0.8, 0.95, 1, 1, 0.95, 0.8, 0.55, 0.35, 0.25, 0.2, 0.15, 0.12},
		Weekly: [7]float64{1, 1, 1, 1, 1, 0.35, 0.3},
	}
	flat := &Profile{Name: "flat"}
	for i := range flat.Hourly {
		flat.Hourly[i] = 1
	}
	for i := range flat.Weekly {
		flat.Weekly[i] = 1
	}
	return map[string]*Profile{"flat": flat, "consumer": consumer, "business": business}
}
