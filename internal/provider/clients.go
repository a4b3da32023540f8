package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// clientsFrom extracts the provider's clients from ProviderData. Nil data
// is normal during validation, before the provider is configured.
func clientsFrom(data any, diags *diag.Diagnostics) *Clients {
	if data == nil {
		return nil
	}
	c, ok := data.(*Clients)
	if !ok {
		diags.AddError("Unexpected Provider Data", fmt.Sprintf("Expected *provider.Clients, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return c
}
