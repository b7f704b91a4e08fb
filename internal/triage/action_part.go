package triage

import "strings"

// actionPart is a newsletter or digest that also announces a change that
// needs action, as routing to applications reads it: the subject and the
// paragraphs that hold the change's words. The other items ("what's new
// in Acme Web Banking this quarter") name products the change leaves
// alone. A body of one paragraph, or one where no paragraph alone holds
// them, is kept whole.
func actionPart(e Email) Email {
	paras := paragraphRE.Split(e.Body, -1)
	if len(paras) < 2 {
		return e
	}
	var kept []string
	for _, p := range paras {
		if breakingSignal(Email{Body: p}).score > 0 {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return e
	}
	e.Body = strings.Join(kept, "\n\n")
	return e
}
