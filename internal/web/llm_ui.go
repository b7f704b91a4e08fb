package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/llm/llmconfig"
)

// llmSlotForm is one provider's fieldset as typed; Provider "" means none.
type llmSlotForm struct {
	Provider, Model, BaseURL, AzureAPIVersion, AzureDeployment, Timeout string
	// KeySet says whether a key is stored (the key is never shown).
	KeySet bool
}

// llmForm is the language-model settings form.
type llmForm struct {
	Primary, Fallback llmSlotForm
	Offline           bool
}

// llmPage is the data of the language-model settings page.
type llmPage struct {
	Form      llmForm
	Slots     []llmSlotView
	Test      *llmconfig.ModelTestResult
	TestWhich string
}

// llmSlotView is what one provider fieldset renders.
type llmSlotView struct {
	Slot, Title string
	F           llmSlotForm
	Providers   []llmconfig.Provider
	Fields      map[string]string
}

func llmSlotFormOf(pv *llmconfig.ProviderView) llmSlotForm {
	if pv == nil {
		return llmSlotForm{}
	}
	f := llmSlotForm{Provider: string(pv.Provider), Model: pv.Model, BaseURL: pv.BaseURL, AzureAPIVersion: pv.AzureAPIVersion,
		AzureDeployment: pv.AzureDeployment, KeySet: pv.APIKeySet}
	if pv.TimeoutSeconds != 0 {
		f.Timeout = strconv.Itoa(pv.TimeoutSeconds)
	}
	return f
}

func llmFormOf(v llmconfig.ConfigView) llmForm {
	return llmForm{Primary: llmSlotFormOf(v.Primary), Fallback: llmSlotFormOf(v.Fallback), Offline: v.OfflineWhenUnavailable}
}

// readLLMSlot reads one fieldset: its configuration (nil when no provider
// is chosen) and its key.
func readLLMSlot(r *http.Request, v *apperr.Validation, slot string) (llmSlotForm, *llmconfig.ProviderConfig, string) {
	get := func(name string) string { return r.PostFormValue(slot + "_" + name) }
	f := llmSlotForm{Provider: get("provider"), Model: get("model"), BaseURL: get("base_url"),
		AzureAPIVersion: get("azure_api_version"), AzureDeployment: get("azure_deployment"), Timeout: get("timeout_seconds")}
	if f.Provider == "" {
		return f, nil, ""
	}
	pc := &llmconfig.ProviderConfig{Provider: llmconfig.Provider(f.Provider), Model: f.Model, BaseURL: f.BaseURL,
		AzureAPIVersion: f.AzureAPIVersion, AzureDeployment: f.AzureDeployment}
	if t := strings.TrimSpace(f.Timeout); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil {
			v.Add(slot+".timeout_seconds", "must be a whole number of seconds")
		}
		pc.TimeoutSeconds = n
	}
	return f, pc, get("api_key")
}

func (s *Server) uiLLM(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderLLM(w, r, p, http.StatusOK, nil, nil, "", nil)
}

// renderLLM shows the page; form nil means the stored settings.
func (s *Server) renderLLM(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, form *llmForm,
	test *llmconfig.ModelTestResult, which string, formErr error) error {
	svc, err := s.llmSettings()
	if err != nil {
		return err
	}
	view, err := svc.Get(r.Context(), p)
	if err != nil {
		return err
	}
	data := llmPage{Form: llmFormOf(view), Test: test, TestWhich: which}
	if form != nil {
		// Show the input as typed, with what is stored about the keys.
		form.Primary.KeySet, form.Fallback.KeySet = data.Form.Primary.KeySet, data.Form.Fallback.KeySet
		data.Form = *form
	}
	v := viewWithErr(View{Title: "Language model", Nav: "llm"}, formErr)
	data.Slots = []llmSlotView{
		{Slot: llmconfig.SlotPrimary, Title: "Primary model", F: data.Form.Primary, Providers: llmconfig.Providers, Fields: v.Fields},
		{Slot: llmconfig.SlotFallback, Title: "Fallback model (asked when the primary fails)", F: data.Form.Fallback,
			Providers: llmconfig.Providers, Fields: v.Fields},
	}
	v.Data = data
	s.render(w, r, status, "llm.html", v)
	return nil
}

func (s *Server) uiSaveLLM(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.llmSettings()
	if err != nil {
		return err
	}
	var v apperr.Validation
	var form llmForm
	var cfg llmconfig.Config
	var keys llmconfig.Keys
	form.Primary, cfg.Primary, keys.Primary = readLLMSlot(r, &v, llmconfig.SlotPrimary)
	form.Fallback, cfg.Fallback, keys.Fallback = readLLMSlot(r, &v, llmconfig.SlotFallback)
	for _, slot := range []string{llmconfig.SlotPrimary, llmconfig.SlotFallback} {
		if r.PostFormValue(slot+"_clear_api_key") == "on" {
			keys.Clear = append(keys.Clear, slot)
		}
	}
	form.Offline = r.PostFormValue("offline_when_unavailable") == "on"
	cfg.OfflineWhenUnavailable = form.Offline
	err = v.Err()
	if err == nil {
		_, err = svc.Update(r.Context(), p, cfg, keys)
	}
	if formFailure(err) {
		return s.renderLLM(w, r, p, Status(err), &form, nil, "", err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Language model settings saved.")
	redirect(w, r, "/settings/llm")
	return nil
}

func (s *Server) uiTestLLM(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.llmSettings()
	if err != nil {
		return err
	}
	which := r.PostFormValue("which")
	res, err := svc.Test(r.Context(), p, which)
	if apperr.Is(err, apperr.Invalid) {
		return s.renderLLM(w, r, p, Status(err), nil, nil, "", err)
	}
	if err != nil {
		return err
	}
	return s.renderLLM(w, r, p, http.StatusOK, nil, &res, which, nil)
}
