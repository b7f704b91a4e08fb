package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/score"
)

// scoreRulesPage is the scoring rule editor: the active rule, every
// version, and the form that saves a new version cloned from one of them.
type scoreRulesPage struct {
	Active   score.ScoringRule
	Versions []score.ScoringRule
	// Shown is the version the page details (the active one unless one
	// was picked).
	Shown score.ScoringRule
	// From is the version the form was cloned from ("" for the default).
	From    score.ScoringRule
	Form    scoringForm
	Weights []categoryWeights
}

// categoryWeights is one category of a rule as the page lists it.
type categoryWeights struct {
	Category score.Category
	Weight   float64
	Signals  []signalWeight
}

// signalWeight is one signal's weight in a rule.
type signalWeight struct {
	Def        score.Definition
	Weight     float64
	Overridden bool
}

// scoringForm is the editor's input as typed: numbers stay text so a typo is
// shown back as it was.
type scoringForm struct {
	Categories []formField
	Signals    []formField
	Medium     string
	High       string
	Critical   string
	WindowDays string
	HalfLife   string
	Note       string
	FromID     string
}

// formField is one weight of the form: Name is the input's name, Field
// the key its errors carry.
type formField struct {
	Name, Field, Label, Group, Value, Placeholder string
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// scoringFormOf fills the form from a rule's definition.
func scoringFormOf(r score.ScoringRule) scoringForm {
	d := r.Definition
	f := scoringForm{Medium: num(d.Bands.Medium), High: num(d.Bands.High), Critical: num(d.Bands.Critical),
		WindowDays: strconv.Itoa(d.WindowDays), HalfLife: num(d.HalfLifeDays), FromID: r.ID}
	for _, c := range score.Categories {
		f.Categories = append(f.Categories, formField{Name: "cw_" + string(c), Field: "category_weights." + string(c), Label: c.Label(),
			Value: num(d.CategoryWeights[c])})
	}
	for _, def := range score.Catalog {
		ff := formField{Name: "sw_" + def.Code, Field: "signal_weights." + def.Code, Label: def.Label, Group: def.Category.Label(),
			Placeholder: num(def.Weight)}
		if w, ok := d.SignalWeights[def.Code]; ok {
			ff.Value = num(w)
		}
		f.Signals = append(f.Signals, ff)
	}
	return f
}

// readScoringForm reads the editor; a number that does not parse is a field
// error, reported with the rule's own.
func readScoringForm(r *http.Request) (scoringForm, score.RuleDefinition, *apperr.Validation) {
	f := scoringFormOf(score.ScoringRule{Definition: score.RuleDefinition{}})
	var v apperr.Validation
	d := score.RuleDefinition{CategoryWeights: map[score.Category]float64{}, SignalWeights: map[string]float64{}}
	parse := func(field, raw string, dst *float64) {
		x, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		v.Check(err == nil, field, "must be a number")
		*dst = x
	}
	for i, c := range score.Categories {
		f.Categories[i].Value = r.PostFormValue(f.Categories[i].Name)
		var w float64
		parse(f.Categories[i].Field, f.Categories[i].Value, &w)
		d.CategoryWeights[c] = w
	}
	for i := range f.Signals {
		s := &f.Signals[i]
		s.Value = r.PostFormValue(s.Name)
		if strings.TrimSpace(s.Value) == "" {
			continue
		}
		var w float64
		parse(s.Field, s.Value, &w)
		d.SignalWeights[strings.TrimPrefix(s.Name, "sw_")] = w
	}
	f.Medium, f.High, f.Critical = r.PostFormValue("medium"), r.PostFormValue("high"), r.PostFormValue("critical")
	f.WindowDays, f.HalfLife, f.Note, f.FromID = r.PostFormValue("window_days"), r.PostFormValue("half_life_days"), r.PostFormValue("note"), r.PostFormValue("from")
	parse("bands", f.Medium, &d.Bands.Medium)
	parse("bands", f.High, &d.Bands.High)
	parse("bands", f.Critical, &d.Bands.Critical)
	parse("half_life_days", f.HalfLife, &d.HalfLifeDays)
	days, err := strconv.Atoi(strings.TrimSpace(f.WindowDays))
	v.Check(err == nil, "window_days", "must be a whole number of days")
	d.WindowDays = days
	return f, d, &v
}

// weightsOf lists a rule's effective weights by category.
func weightsOf(d score.RuleDefinition) []categoryWeights {
	var out []categoryWeights
	for _, c := range score.Categories {
		cw := categoryWeights{Category: c, Weight: d.CategoryWeights[c]}
		for _, def := range score.Catalog {
			if def.Category != c {
				continue
			}
			w, ok := d.SignalWeights[def.Code]
			if !ok {
				w = def.Weight
			}
			cw.Signals = append(cw.Signals, signalWeight{Def: def, Weight: w, Overridden: ok})
		}
		out = append(out, cw)
	}
	return out
}

// rulesPage reads the active rule and every version; shownID picks the
// version to detail and fromID the one the form clones ("" for the
// active one).
func (s *Server) rulesPage(r *http.Request, p auth.Principal, shownID, fromID string) (scoreRulesPage, error) {
	active, err := s.Scores.ActiveRule(r.Context(), p.TenantID)
	if err != nil {
		return scoreRulesPage{}, err
	}
	vs, err := s.Scores.Rules(r.Context(), p)
	if err != nil {
		return scoreRulesPage{}, err
	}
	data := scoreRulesPage{Active: active, Versions: vs, Shown: active, From: active}
	if shownID != "" {
		if data.Shown, err = s.Scores.ScoringRule(r.Context(), p, shownID); err != nil {
			return scoreRulesPage{}, err
		}
	}
	if fromID != "" {
		if data.From, err = s.Scores.ScoringRule(r.Context(), p, fromID); err != nil {
			return scoreRulesPage{}, err
		}
	}
	data.Form = scoringFormOf(data.From)
	data.Weights = weightsOf(data.Shown.Definition)
	return data, nil
}

func (s *Server) uiScoreRules(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	from := r.URL.Query().Get("from")
	data, err := s.rulesPage(r, p, "", from)
	if apperr.Is(err, apperr.NotFound) && from != "" {
		data, err = s.rulesPage(r, p, "", "")
	}
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "score_rules.html", View{Title: "Scoring rule", Nav: "score-rules", Data: data, Flash: r.URL.Query().Get("done")})
	return nil
}

func (s *Server) uiScoreRule(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	data, err := s.rulesPage(r, p, id, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "score_rules.html", View{Title: "Scoring rule, version " + strconv.Itoa(data.Shown.Version),
		Nav: "score-rules", Data: data, Flash: r.URL.Query().Get("done")})
	return nil
}

// uiCreateScoreRule saves the editor's rule as a new, inactive version; a
// rule that cannot produce a valid score is refused with the reasons.
func (s *Server) uiCreateScoreRule(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f, d, v := readScoringForm(r)
	err := v.Err()
	var rule score.ScoringRule
	if err == nil {
		rule, err = s.Scores.CreateRule(r.Context(), p, d, f.Note)
	}
	if err == nil {
		redirect(w, r, "/scores/rules/"+rule.ID+"?done="+url.QueryEscape("Saved as version "+strconv.Itoa(rule.Version)+
			". It scores nothing until you activate it."))
		return nil
	}
	if !formFailure(err) {
		return err
	}
	data, derr := s.rulesPage(r, p, "", "")
	if derr != nil {
		return derr
	}
	data.Form = f
	view := viewWithErr(View{Title: "Scoring rule", Nav: "score-rules", Data: data}, err)
	view.Error = "The rule was not saved: " + refusal(err)
	s.render(w, r, Status(err), "score_rules.html", view)
	return nil
}

// refusal says in one sentence why a rule was refused.
func refusal(err error) string {
	fs := apperr.FieldsOf(err)
	if len(fs) == 0 {
		return apperr.MessageOf(err)
	}
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		parts = append(parts, strings.ReplaceAll(f.Field, "_", " ")+" "+f.Message)
	}
	return strings.Join(parts, "; ") + "."
}

func (s *Server) uiActivateScoreRule(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	rule, err := s.Scores.ActivateRule(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	redirect(w, r, "/scores/rules?done="+url.QueryEscape("Version "+strconv.Itoa(rule.Version)+" is now the active rule; every vendor is being rescored under it."))
	return nil
}
