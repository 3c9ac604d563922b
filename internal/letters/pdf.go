package letters

import (
	_ "embed"
	"fmt"
	"io"

	"codeberg.org/go-pdf/fpdf"
)

// The fonts are DejaVu (Bitstream Vera licence, fonts/LICENSE): every letter of a Dutch class
// list (é, ë, ö, ç, ı, ş, ł …) and a monospace face whose code characters stand apart.
var (
	//go:embed fonts/DejaVuSans.ttf
	sansRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	sansBold []byte
	//go:embed fonts/DejaVuSansMono-Bold.ttf
	monoBold []byte
)

// Options are what every letter of a download says alike besides the batch.
type Options struct {
	// SignInURL is where pupils sign in (the app's public address).
	SignInURL string
	// ShowSchoolCode prints the school's BRIN for the sign-in form: needed when the
	// installation has several schools.
	ShowSchoolCode bool
}

// A4 in millimetres, two letters per sheet.
const (
	pageW   = 210.0
	pageH   = 297.0
	half    = pageH / 2
	marginX = 18.0
	textW   = pageW - 2*marginX
)

// WritePDF writes the letters as one PDF in handing-out order: two letters per A4 sheet with
// a dashed cut line between them, and every class from a new sheet (a mentor prints once and
// hands each class its own stack).
func WritePDF(w io.Writer, b *Batch, o Options) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(marginX, 0, marginX)
	pdf.SetCellMargin(0) // text in cells lines up with text drawn at marginX
	pdf.SetTitle("Inlogbrieven "+b.School, true)
	pdf.SetAuthor(b.School, true)
	pdf.SetCreator("Numo accounts", true)
	pdf.AddUTF8FontFromBytes("sans", "", sansRegular)
	pdf.AddUTF8FontFromBytes("sans", "B", sansBold)
	pdf.AddUTF8FontFromBytes("mono", "B", monoBold)
	if len(b.Letters) == 0 {
		pdf.AddPage()
		pdf.SetFont("sans", "", 12)
		pdf.Text(marginX, 30, "Geen inlogbrieven.")
	}
	for _, class := range b.Classes() {
		for i, l := range class {
			if i%2 == 0 {
				pdf.AddPage()
				cutLine(pdf)
			}
			letter(pdf, b, o, l, float64(i%2)*half, i+1, len(class))
		}
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("letters pdf: %w", err)
	}
	return pdf.Output(w)
}

// cutLine is the dashed line between the two letters of a sheet, with scissors.
func cutLine(pdf *fpdf.Fpdf) {
	pdf.SetDrawColor(150, 150, 150)
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{2, 1.5}, 0)
	pdf.Line(14, half, pageW-8, half)
	pdf.SetDashPattern(nil, 0)
	pdf.SetFont("sans", "", 11)
	pdf.SetTextColor(120, 120, 120)
	pdf.Text(7, half+1.4, "✂")
}

// letter draws one letter in the half of the sheet that starts at y0.
func letter(pdf *fpdf.Fpdf, b *Batch, o Options, l Letter, y0 float64, n, of int) {
	class := l.Class
	if class == "" {
		class = "–"
	}
	pdf.SetTextColor(30, 30, 30)
	fit(pdf, "sans", 12, textW*0.7-4, b.School)
	pdf.SetXY(marginX, y0+12)
	pdf.CellFormat(textW*0.7, 6, b.School, "", 0, "L", false, 0, "")
	fit(pdf, "sans", 12, textW*0.3, "Klas "+class)
	pdf.CellFormat(textW*0.3, 6, "Klas "+class, "", 0, "R", false, 0, "")
	pdf.SetDrawColor(40, 90, 160)
	pdf.SetLineWidth(0.6)
	pdf.Line(marginX, y0+20, pageW-marginX, y0+20)

	pdf.SetFont("sans", "", 10)
	pdf.SetTextColor(90, 90, 90)
	pdf.Text(marginX, y0+27, "Inlogbrief voor")
	fit(pdf, "sans", 19, textW, l.Name())
	pdf.SetTextColor(20, 20, 20)
	pdf.SetXY(marginX, y0+29)
	pdf.CellFormat(textW, 9, l.Name(), "", 0, "L", false, 0, "")

	end := box(pdf, b, o, l, y0+42)
	instructions(pdf, end+6)

	pdf.SetFont("sans", "", 8)
	pdf.SetTextColor(130, 130, 130)
	pdf.SetXY(marginX, y0+142)
	pdf.CellFormat(textW*0.75, 4, "Gooi deze brief weg zodra je een eigen wachtwoord hebt gekozen.", "", 0, "L", false, 0, "")
	pdf.CellFormat(textW*0.25, 4, fmt.Sprintf("Klas %s · %d van %d", class, n, of), "", 0, "R", false, 0, "")
}

// box is the shaded block with what the pupil types: where, username, start code, until when.
// It returns where the block ends.
func box(pdf *fpdf.Fpdf, b *Batch, o Options, l Letter, y float64) float64 {
	rows := 4
	if o.ShowSchoolCode {
		rows = 5
	}
	const step = 11.0
	h := step*float64(rows) + 5
	pdf.SetFillColor(242, 245, 250)
	pdf.SetDrawColor(200, 208, 222)
	pdf.SetLineWidth(0.3)
	pdf.RoundedRect(marginX, y, textW, h, 3, "1234", "FD")
	labelX, valueX := marginX+6, marginX+50
	row := func(i int, label, value, font string, size float64) {
		base := y + 9.5 + step*float64(i)
		pdf.SetFont("sans", "", 10)
		pdf.SetTextColor(90, 90, 90)
		pdf.Text(labelX, base, label)
		fit(pdf, font, size, marginX+textW-4-valueX, value)
		pdf.SetTextColor(15, 15, 15)
		pdf.Text(valueX, base+size*0.06, value)
	}
	i := 0
	row(i, "Inloggen op", o.SignInURL, "sans", 12)
	if o.ShowSchoolCode {
		i++
		row(i, "Schoolcode", b.BRIN, "mono", 14)
	}
	row(i+1, "Gebruikersnaam", l.Username, "mono", 15)
	row(i+2, "Startcode", l.Code, "mono", 24)
	row(i+3, "Geldig tot en met", DutchDate(b.ValidUntil), "sans", 12)
	return y + h
}

// instructions are the three steps of the first sign-in, in Dutch.
func instructions(pdf *fpdf.Fpdf, y float64) {
	steps := []string{
		"Ga naar het adres hierboven. Vul je gebruikersnaam in en typ bij Wachtwoord je startcode (hoofdletters en streepjes hoeven niet).",
		"Kies daarna je eigen wachtwoord van minstens 10 tekens. Vanaf dan werkt de startcode niet meer.",
		"Vertel je startcode en je wachtwoord aan niemand. Werkt de code niet of is hij verlopen? Vraag je mentor om een nieuwe brief.",
	}
	pdf.SetTextColor(30, 30, 30)
	pdf.SetFont("sans", "", 10)
	pdf.SetY(y)
	for i, s := range steps {
		pdf.SetX(marginX)
		pdf.SetFont("sans", "B", 10)
		pdf.CellFormat(7, 5, fmt.Sprintf("%d.", i+1), "", 0, "L", false, 0, "")
		pdf.SetFont("sans", "", 10)
		pdf.MultiCell(textW-7, 5, s, "", "L", false)
		pdf.Ln(0.6)
	}
}

// fit sets the bold face of family at size, or smaller (down to 8 pt) until text fits in width
// millimetres: a long school name, name, address or username shrinks instead of running off
// the letter.
func fit(pdf *fpdf.Fpdf, family string, size, width float64, text string) {
	for ; size > 8; size -= 0.5 {
		pdf.SetFont(family, "B", size)
		if pdf.GetStringWidth(text) <= width {
			return
		}
	}
	pdf.SetFont(family, "B", 8)
}
