package browser

import (
	"encoding/xml"
	"strings"
)

// Unescape undoes the HTML escaping of text or an attribute value.
func Unescape(s string) string {
	var out strings.Builder
	d := xml.NewDecoder(strings.NewReader("<x>" + s + "</x>"))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	for {
		tok, err := d.Token()
		if err != nil {
			return out.String()
		}
		if cd, ok := tok.(xml.CharData); ok {
			out.Write(cd)
		}
	}
}
