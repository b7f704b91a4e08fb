package triage

import (
	"regexp"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// Dates in tables (plain-text, HTML and PDF tables turned into text):
// rows about a test environment and rows about a release.

// trialRE finds a line about a test environment.
var trialRE = regexp.MustCompile(`(?i)\b(sandbox|staging|test(ing)? environment|uat|pilot environment|demo (?:accounts?|environments?|tenants?|sites?|instances?)|` +
	`(?:validation|qa|pre-?production) environment|testumgebung|testsystem|abnahmeumgebung|testomgeving|acceptatieomgeving|environnement de (?:test|recette)|entorno de pruebas)\b`)

// trialWords are what every match of trialRE contains.
var trialWords = []string{"sandbox", "staging", "test", "uat", "pilot", "demo", "abnahme", "environment", "acceptatie", "pruebas"}

// isTrialLine reports whether line is about a test environment.
func isTrialLine(line string) bool {
	lower := strings.ToLower(line)
	for _, w := range trialWords {
		if strings.Contains(lower, w) {
			return trialRE.MatchString(line)
		}
	}
	return false
}

// runningVersionRE finds the version the email says the customer runs:
// "your site runs Munis 2021.6", "you are on 9.4".
var runningVersionRE = regexp.MustCompile(`(?i)\b(?:you|your\s+[\w-]+(?:\s+[\w-]+)?)(?:\s*\([^()]{0,40}\))?\s+(?:runs?|is running|are running|are on|is on|are using|is using|uses|use|have installed|has installed)\s+(?:[A-Za-z][\w-]*\s+){0,3}?v?(\d+(?:\.\d+)+)\b`)

// versionRE is a release number in a table row: "2021.x", "9.4", "v3.2".
var versionRE = regexp.MustCompile(`(?i)\bv?(\d+(?:\.(?:\d+|x))+)\b`)

// runningVersions are the versions the email says the customer runs.
func runningVersions(body string) []string {
	if !strings.Contains(body, ".") {
		return nil
	}
	var out []string
	for _, m := range runningVersionRE.FindAllStringSubmatch(body, 4) {
		out = append(out, m[1])
	}
	return out
}

// isVersionRow reports whether line is a table row with a version in it.
func isVersionRow(line string) bool {
	return strings.Contains(line, ".") && isTableRow(line) && versionRE.MatchString(line)
}

// isTableRow reports whether line is a row of a table: cells apart by
// "|", a tab, or the run of spaces a plain-text or PDF table lines its
// columns up with.
func isTableRow(line string) bool {
	return strings.ContainsAny(line, "|\t") || strings.Contains(strings.TrimSpace(line), cellSpaces)
}

// cellSpaces is the run of spaces that sets a plain-text table's cells
// apart (prose has at most two in a row).
const cellSpaces = "   "

// cellSepRE sets the cells of a table row apart.
var cellSepRE = regexp.MustCompile(`\s*(?:\||\t|` + cellSpaces + `)\s*`)

// tableCells are the cells of a table row.
func tableCells(line string) []string {
	return cellSepRE.Split(strings.Trim(strings.TrimSpace(line), "|"), -1)
}

// trialCellRE is a table cell that names a test environment alone
// ("Development", "Pre-production"): the row is about that environment.
//
// The environment's host may follow in parentheses ("Validation
// (qa.vendor.com)"); "validation" is the test environment of regulated
// (GxP) customers.
var trialCellRE = regexp.MustCompile(`(?i)^(?:dev|development|demo|test|testing|qa|uat|sandbox|staging|validation|pre-?prod(?:uction)?|non-?prod(?:uction)?)(?:\s*\([^()]*\))?$`)

// hasTrialCell reports whether line is a table row with a cell that names
// a test environment.
func hasTrialCell(line string) bool {
	if !isTableRow(line) {
		return false
	}
	for _, c := range tableCells(line) {
		if trialCellRE.MatchString(c) {
			return true
		}
	}
	return false
}

// trialColumns reads a table's header row: which of its cells head a
// column about a test environment ("Sandbox | Production"). It is nil
// for a line that is no header of such a table.
func trialColumns(line string) []bool {
	if !isTableRow(line) || strings.ContainsAny(line, "0123456789") || !isTrialLine(line) {
		return nil
	}
	cells := tableCells(line)
	cols := make([]bool, len(cells))
	trial, other := false, false
	for i, c := range cells {
		cols[i] = isTrialLine(c)
		trial, other = trial || cols[i], other || !cols[i]
	}
	if len(cells) < 2 || !trial || !other {
		return nil
	}
	return cols
}

// withoutTrialCells is a row of a table whose header is cols with the
// cells of the test-environment columns left empty: the dates of the
// other columns are the change's. A row with other cells is kept whole.
func withoutTrialCells(line string, cols []bool) string {
	cells := tableCells(line)
	if len(cells) == len(cols)+1 {
		// The header leaves the cell above the rows' labels empty
		// ("            Sandbox      Production").
		cols = append([]bool{false}, cols...)
	}
	if len(cells) != len(cols) {
		return line
	}
	for i := range cells {
		if cols[i] {
			cells[i] = ""
		}
	}
	return strings.Join(cells, " | ")
}

// versionFit tells whether a table row is about the version the email
// says the customer runs (2), the one the registry says it runs (1),
// another version (-1), or none (0). Rows are lines with cells ("|" or
// tabs, as tables are turned into text).
func versionFit(line string, running, known []string) int {
	if len(running)+len(known) == 0 || !isTableRow(line) {
		return 0
	}
	registered, other := false, false
	for _, m := range versionRE.FindAllStringSubmatch(line, 4) {
		if isoDateRE.MatchString(m[0]) || numericDateRE.MatchString(m[0]) || dashedNumericRE.MatchString(m[0]) {
			continue
		}
		for _, r := range running {
			if versionCovers(m[1], r) {
				return 2
			}
		}
		other = true
		for _, r := range known {
			if versionCovers(m[1], r) {
				registered = true
			}
		}
	}
	switch {
	case registered:
		return 1
	case other:
		return -1
	}
	return 0
}

// registryVersionRE is a version number right after a product's name, up
// to two words later: "Munis 2021.6", "OnCall Dispatch 9.4".
var registryVersionRE = regexp.MustCompile(`^(?:\s+[A-Za-z][\w|-]*){0,2}?\s+v?(\d+(?:\.\d+)+)\b`)

// registryVersions are the versions of the vendor's products that the
// descriptions of the applications linked to it name: a version number
// that follows the vendor's name or an alias.
func registryVersions(snap registry.Snapshot, v registry.Vendor) []string {
	var out []string
	for _, a := range snap.Applications {
		if !a.IsActive || !linked(a, v.ID) || !strings.Contains(a.Description, ".") {
			continue
		}
		lower := strings.ToLower(a.Description)
		for _, n := range vendorNames(v) {
			n = strings.ToLower(n)
			for from := 0; from < len(lower); {
				i := indexWord(lower[from:], n)
				if i < 0 {
					break
				}
				from += i + len(n)
				if m := registryVersionRE.FindStringSubmatch(a.Description[from:min(len(lower), from+60)]); m != nil && len(lower) == len(a.Description) {
					out = append(out, m[1])
				}
			}
		}
	}
	return out
}

// versionCovers reports whether a row's version ("2021.x", "9.4") covers
// the running one ("2021.6", "9.4.2"): equal parts up to an "x" or the
// row's last part.
func versionCovers(row, running string) bool {
	rp, vp := strings.Split(strings.ToLower(row), "."), strings.Split(running, ".")
	for i, p := range rp {
		if p == "x" {
			return i > 0
		}
		if i >= len(vp) || vp[i] != p {
			return false
		}
	}
	return true
}
