package forgetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Page cuts items to the page asked for by the page and per_page query
// parameters (1 and def when absent, per_page at most 100) and sets the
// RFC 8288 Link header every forge sends: rel="next" and rel="last" while
// there is more. It returns the page's bounds and the next page, 0 when
// this is the last.
func Page(w http.ResponseWriter, r *http.Request, n, def int) (from, to, next int) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per, _ = strconv.Atoi(q.Get("limit")) // Gitea's name for it
	}
	if page < 1 {
		page = 1
	}
	if per <= 0 {
		per = def
	}
	per = min(per, 100)
	from = min((page-1)*per, n)
	to = min(from+per, n)
	last := max((n+per-1)/per, 1)
	if to < n {
		next = page + 1
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next", <%s>; rel="last"`, pageURL(r, next), pageURL(r, last)))
	}
	return from, to, next
}

func pageURL(r *http.Request, page int) string {
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
	q := r.URL.Query()
	q.Set("page", strconv.Itoa(page))
	u.RawQuery = q.Encode()
	return u.String()
}

// WriteJSON answers with status and v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	// A write error means the client hung up; nothing to do.
	_ = json.NewEncoder(w).Encode(v)
}
