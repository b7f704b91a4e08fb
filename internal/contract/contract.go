// Package contract is the contracts module's vendor side: vendor price
// files uploaded, previewed with a proposed column mapping a person
// confirms (and that is remembered per vendor), and imported into
// contracts and their lines, with a row error for every line that could
// not be read. Reading and normalizing the files is package sheet's.
package contract

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/vendorsync/vendorsync/internal/contract/sheet"
)

// FileStatus is where a vendor file is in its import.
type FileStatus string

// The statuses of a vendor file.
const (
	FileUploaded  FileStatus = "uploaded"  // stored, waiting for its mapping to be confirmed
	FileQueued    FileStatus = "queued"    // mapping confirmed, import waiting to run
	FileImporting FileStatus = "importing" // import running
	FileImported  FileStatus = "imported"
	FileFailed    FileStatus = "failed" // refused whole; Error says why
)

// File is one uploaded vendor price file.
type File struct {
	ID             string        `json:"id"`
	TenantID       string        `json:"-"`
	VendorID       string        `json:"vendor_id"`
	Filename       string        `json:"filename"`
	Type           sheet.Kind    `json:"file_type" enum:"csv,xlsx"`
	BlobKey        string        `json:"-"`
	SHA256         string        `json:"sha256"`
	Size           int64         `json:"size"`
	Status         FileStatus    `json:"status" enum:"uploaded,queued,importing,imported,failed"`
	HeaderLine     int           `json:"header_line"`
	Mapping        sheet.Mapping `json:"mapping" nullable:"false"`
	ContractNumber string        `json:"contract_number"`
	EffectiveStart *time.Time    `json:"effective_start,omitempty"`
	EffectiveEnd   *time.Time    `json:"effective_end,omitempty"`
	RowsRead       int           `json:"rows_read"`
	LinesImported  int           `json:"lines_imported"`
	RowsFailed     int           `json:"rows_failed"`
	Error          string        `json:"error"`
	ContractID     string        `json:"contract_id"`
	UploadedBy     string        `json:"uploaded_by"`
	UploadedAt     time.Time     `json:"uploaded_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

// RowError is a line of a file that was not imported, and why.
type RowError struct {
	Line   int      `json:"line"`
	Column string   `json:"column"`
	Reason string   `json:"reason"`
	Cells  []string `json:"cells" nullable:"false"`
}

// Contract is a vendor's price contract, imported from one file.
type Contract struct {
	ID             string     `json:"id"`
	TenantID       string     `json:"-"`
	FileID         string     `json:"vendor_file_id"`
	VendorID       string     `json:"vendor_id"`
	Number         string     `json:"contract_number"`
	VendorName     string     `json:"vendor_name"`
	EffectiveStart *time.Time `json:"effective_start,omitempty"`
	EffectiveEnd   *time.Time `json:"effective_end,omitempty"`
	Status         string     `json:"status"`
	LineCount      int        `json:"line_count"`
	CreatedAt      time.Time  `json:"created_at"`
}

// Line is one priced item of a contract.
type Line struct {
	ID             string          `json:"id"`
	ContractID     string          `json:"contract_id"`
	LineNumber     int             `json:"line_number"`
	ItemNumber     string          `json:"vendor_item_number"`
	UOM            string          `json:"vendor_uom"`
	Description    string          `json:"vendor_description"`
	Price          decimal.Decimal `json:"contract_price"`
	Currency       string          `json:"currency"`
	EffectiveStart *time.Time      `json:"effective_start,omitempty"`
	EffectiveEnd   *time.Time      `json:"effective_end,omitempty"`
	Raw            []string        `json:"raw" nullable:"false"`
}

// Preview is what a person sees before confirming a file's mapping: the
// header found, the mapping proposed (the vendor's remembered one where its
// headers match, else by header synonyms) and the first rows under it.
type Preview struct {
	File       File          `json:"file"`
	HeaderLine int           `json:"header_line"`
	Headers    []string      `json:"headers" nullable:"false"`
	Proposed   sheet.Mapping `json:"proposed" nullable:"false"`
	Remembered bool          `json:"remembered"`
	Missing    []sheet.Field `json:"missing" nullable:"false"`
	Sample     [][]string    `json:"sample" nullable:"false"`
	// SampleLines are the file lines of Sample's rows.
	SampleLines []int `json:"sample_lines" nullable:"false"`
}

// Confirmation is a person's mapping of a file's columns and the
// contract's own attributes.
type Confirmation struct {
	HeaderLine     int           `json:"header_line"`
	Mapping        sheet.Mapping `json:"mapping"`
	ContractNumber string        `json:"contract_number,omitempty"`
	EffectiveStart *time.Time    `json:"effective_start,omitempty"`
	EffectiveEnd   *time.Time    `json:"effective_end,omitempty"`
}

// FileFilter selects vendor files for a list.
type FileFilter struct {
	VendorID string
	Status   FileStatus
	Cursor   string
	Limit    int
}

// ContractFilter selects contracts for a list.
type ContractFilter struct {
	VendorID string
	Cursor   string
	Limit    int
}

// Progress is an import's counts so far.
type Progress struct {
	RowsRead      int
	LinesImported int
	RowsFailed    int
}
