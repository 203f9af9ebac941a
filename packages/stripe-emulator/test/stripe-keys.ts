/**
 * Top-level keys of Stripe's objects, per object type the app reads: this package's own data, written down from
 * two public sources (neither is copied into the repository):
 * - FIXTURE_KEYS: the keys of each type's example object in Stripe's OpenAPI fixtures
 *   (github.com/stripe/openapi, openapi/fixtures3.json, 2026-07-29), less any the pinned version does not have;
 * - PINNED_KEYS: every key the object has at the API version the installed `stripe` SDK pins (2026-10-28.endive,
 *   OpenAPI v2596), read from the SDK's type declarations. A key outside it was removed (or never existed).
 * When the SDK is upgraded to another API version, read both again.
 */

export const PINNED_API_VERSION = "2026-10-28.endive";

export const FIXTURE_KEYS: Record<string, readonly string[]> = {
  "checkout.session": [
    "adaptive_pricing", "after_expiration", "allow_promotion_codes", "amount_subtotal", "amount_total",
    "automatic_tax", "billing_address_collection", "cancel_url", "client_reference_id", "client_secret",
    "collected_information", "consent", "consent_collection", "created", "currency", "currency_conversion",
    "custom_fields", "custom_text", "customer", "customer_account", "customer_creation", "customer_details",
    "customer_email", "discounts", "expires_at", "id", "integration_identifier", "invoice", "invoice_creation",
    "livemode", "locale", "managed_payments", "metadata", "mode", "object", "origin_context", "payment_intent",
    "payment_link", "payment_method_collection", "payment_method_configuration_details", "payment_method_options",
    "payment_method_types", "payment_status", "permissions", "phone_number_collection", "recovered_from",
    "saved_payment_method_options", "setup_intent", "shipping_address_collection", "shipping_cost",
    "shipping_options", "status", "submit_type", "subscription", "success_url", "total_details", "ui_mode", "url",
    "wallet_options"
  ],
  "item": [
    "adjustable_quantity", "amount_discount", "amount_subtotal", "amount_tax", "amount_total", "currency",
    "description", "id", "metadata", "object", "price", "quantity"
  ],
  "customer": [
    "address", "balance", "created", "currency", "default_source", "delinquent", "description", "discount", "email",
    "id", "invoice_prefix", "invoice_settings", "livemode", "metadata", "name", "next_invoice_sequence", "object",
    "phone", "preferred_locales", "shipping", "tax_exempt", "test_clock"
  ],
  "subscription": [
    "application", "application_fee_percent", "automatic_tax", "billing_cycle_anchor", "billing_cycle_anchor_config",
    "billing_mode", "billing_schedules", "billing_thresholds", "cancel_at", "cancel_at_period_end", "canceled_at",
    "cancellation_details", "collection_method", "created", "currency", "customer", "customer_account",
    "days_until_due", "default_payment_method", "default_source", "default_tax_rates", "description", "discounts",
    "ended_at", "id", "invoice_settings", "items", "latest_invoice", "livemode", "managed_payments", "metadata",
    "next_pending_invoice_item_invoice", "object", "on_behalf_of", "pause_collection", "payment_settings",
    "pending_invoice_item_interval", "pending_setup_intent", "pending_update", "schedule", "start_date", "status",
    "test_clock", "transfer_data", "trial_end", "trial_settings", "trial_start"
  ],
  "subscription_item": [
    "billing_thresholds", "created", "current_period_end", "current_period_start", "discounts", "id", "metadata",
    "object", "plan", "price", "quantity", "subscription", "tax_rates"
  ],
  "subscription_schedule": [
    "application", "billing_mode", "canceled_at", "completed_at", "created", "current_phase", "customer",
    "customer_account", "default_settings", "end_behavior", "id", "livemode", "metadata", "object", "phases",
    "released_at", "released_subscription", "status", "subscription", "test_clock"
  ],
  "invoice": [
    "account_country", "account_name", "account_tax_ids", "amount_due", "amount_overpaid", "amount_paid",
    "amount_remaining", "amount_shipping", "application", "attempt_count", "attempted", "auto_advance",
    "automatic_tax", "automatically_finalizes_at", "billing_reason", "collection_method", "created", "currency",
    "custom_fields", "customer", "customer_account", "customer_address", "customer_email", "customer_name",
    "customer_phone", "customer_shipping", "customer_tax_exempt", "customer_tax_ids", "default_payment_method",
    "default_source", "default_tax_rates", "description", "discounts", "due_date", "effective_at", "ending_balance",
    "footer", "from_invoice", "hosted_invoice_url", "id", "invoice_pdf", "issuer", "last_finalization_error",
    "latest_revision", "lines", "livemode", "metadata", "next_payment_attempt", "number", "object", "on_behalf_of",
    "parent", "payment_settings", "period_end", "period_start", "post_payment_credit_notes_amount",
    "pre_payment_credit_notes_amount", "receipt_number", "rendering", "shipping_cost", "shipping_details",
    "starting_balance", "statement_descriptor", "status", "status_transitions", "subtotal", "subtotal_excluding_tax",
    "test_clock", "total", "total_discount_amounts", "total_excluding_tax", "total_pretax_credit_amounts",
    "total_taxes", "webhooks_delivered_at"
  ],
  "line_item": [
    "amount", "currency", "description", "discount_amounts", "discountable", "discounts", "id", "invoice",
    "livemode", "metadata", "object", "parent", "period", "pretax_credit_amounts", "pricing", "quantity",
    "quantity_decimal", "subscription", "subtotal", "taxes"
  ],
  "invoice_payment": [
    "amount_paid", "amount_requested", "created", "currency", "id", "invoice", "is_default", "livemode", "object",
    "payment", "status", "status_transitions"
  ],
  "payment_intent": [
    "amount", "amount_capturable", "amount_details", "amount_received", "application", "application_fee_amount",
    "automatic_payment_methods", "canceled_at", "cancellation_reason", "capture_method", "client_secret",
    "confirmation_method", "created", "currency", "customer", "customer_account", "description",
    "excluded_payment_method_types", "id", "last_payment_error", "latest_charge", "livemode", "managed_payments",
    "metadata", "next_action", "object", "on_behalf_of", "payment_method", "payment_method_configuration_details",
    "payment_method_options", "payment_method_types", "processing", "receipt_email", "review", "setup_future_usage",
    "shipping", "source", "statement_descriptor", "statement_descriptor_suffix", "status", "transfer_data",
    "transfer_group"
  ],
  "payment_method": [
    "allow_redisplay", "billing_details", "card", "created", "customer", "customer_account", "id", "livemode",
    "metadata", "object", "type"
  ],
  "charge": [
    "amount", "amount_captured", "amount_refunded", "application", "application_fee", "application_fee_amount",
    "balance_transaction", "billing_details", "calculated_statement_descriptor", "captured", "created", "currency",
    "customer", "description", "disputed", "failure_balance_transaction", "failure_code", "failure_message",
    "fraud_details", "id", "livemode", "metadata", "object", "on_behalf_of", "outcome", "paid", "payment_intent",
    "payment_method", "payment_method_details", "receipt_email", "receipt_number", "receipt_url", "refunded",
    "refunds", "review", "shipping", "source", "source_transfer", "statement_descriptor",
    "statement_descriptor_suffix", "status", "transfer_data", "transfer_group"
  ],
  "refund": [
    "amount", "balance_transaction", "charge", "created", "currency", "customer", "customer_account",
    "destination_details", "id", "metadata", "object", "payment_intent", "payment_method", "reason",
    "receipt_number", "source_transfer_reversal", "status", "transfer_reversal"
  ],
  "dispute": [
    "amount", "balance_transactions", "charge", "created", "currency", "enhanced_eligibility_types", "evidence",
    "evidence_details", "id", "is_charge_refundable", "livemode", "metadata", "object", "payment_intent",
    "payment_method_details", "reason", "status"
  ],
  "price": [
    "active", "billing_scheme", "created", "currency", "custom_unit_amount", "id", "livemode", "lookup_key",
    "metadata", "nickname", "object", "product", "recurring", "tax_behavior", "tiers_mode", "transform_quantity",
    "type", "unit_amount", "unit_amount_decimal"
  ],
  "product": [
    "active", "created", "default_price", "description", "id", "images", "livemode", "marketing_features",
    "metadata", "name", "object", "package_dimensions", "shippable", "statement_descriptor", "tax_code", "type",
    "unit_label", "updated", "url"
  ],
  "billing_portal.session": [
    "configuration", "created", "customer", "customer_account", "flow", "id", "livemode", "locale", "object",
    "on_behalf_of", "return_url", "url"
  ],
  "billing_portal.configuration": [
    "active", "application", "business_profile", "created", "default_return_url", "features", "id", "is_default",
    "livemode", "login_page", "metadata", "name", "object", "updated"
  ],
  "webhook_endpoint": [
    "api_version", "application", "created", "description", "enabled_events", "id", "livemode", "metadata", "object",
    "status", "url"
  ],
  "event": [
    "api_version", "created", "data", "id", "livemode", "object", "pending_webhooks", "request", "type"
  ],
  "test_helpers.test_clock": [
    "created", "deletes_after", "frozen_time", "id", "livemode", "name", "object", "status", "status_details"
  ],
  "tax.settings": [
    "defaults", "head_office", "livemode", "object", "status", "status_details"
  ],
  "tax.calculation": [
    "amount_total", "currency", "customer", "customer_details", "expires_at", "id", "livemode", "object",
    "ship_from_details", "shipping_cost", "tax_amount_exclusive", "tax_amount_inclusive", "tax_breakdown",
    "tax_date"
  ],
};

export const PINNED_KEYS: Record<string, readonly string[]> = {
  "checkout.session": [
    "adaptive_pricing", "after_expiration", "allow_promotion_codes", "allowed_payment_method_types",
    "amount_subtotal", "amount_total", "automatic_tax", "billing_address_collection", "branding_settings",
    "cancel_url", "client_reference_id", "client_secret", "collected_information", "consent", "consent_collection",
    "created", "currency", "currency_conversion", "custom_fields", "custom_text", "customer", "customer_account",
    "customer_creation", "customer_details", "customer_email", "discounts", "excluded_payment_method_types",
    "expires_at", "id", "integration_identifier", "invoice", "invoice_creation", "line_items", "livemode", "locale",
    "managed_payments", "metadata", "mode", "name_collection", "object", "optional_items", "origin_context",
    "payment_intent", "payment_link", "payment_method_collection", "payment_method_configuration_details",
    "payment_method_options", "payment_method_types", "payment_status", "permissions", "phone_number_collection",
    "presentment_details", "recovered_from", "redirect_on_completion", "return_url", "saved_payment_method_options",
    "setup_intent", "shipping_address_collection", "shipping_cost", "shipping_options", "status", "submit_type",
    "subscription", "success_url", "tax_id_collection", "total_details", "ui_mode", "url", "wallet_options"
  ],
  "item": [
    "adjustable_quantity", "amount_discount", "amount_subtotal", "amount_tax", "amount_total", "currency",
    "description", "discounts", "id", "metadata", "object", "price", "quantity", "taxes"
  ],
  "customer": [
    "address", "balance", "business_name", "cash_balance", "created", "currency", "customer_account",
    "default_source", "deleted", "delinquent", "description", "discount", "email", "id", "individual_name",
    "invoice_credit_balance", "invoice_prefix", "invoice_settings", "livemode", "metadata", "name",
    "next_invoice_sequence", "object", "phone", "preferred_locales", "shipping", "sources", "subscriptions", "tax",
    "tax_exempt", "tax_ids", "test_clock"
  ],
  "subscription": [
    "application", "application_fee_percent", "automatic_tax", "billing_cycle_anchor", "billing_cycle_anchor_config",
    "billing_mode", "billing_schedules", "billing_thresholds", "cancel_at", "cancel_at_period_end", "canceled_at",
    "cancellation_details", "collection_method", "created", "currency", "customer", "customer_account",
    "days_until_due", "default_payment_method", "default_source", "default_tax_rates", "description", "discounts",
    "ended_at", "id", "invoice_settings", "items", "latest_invoice", "livemode", "managed_payments", "metadata",
    "next_pending_invoice_item_invoice", "object", "on_behalf_of", "pause_collection", "payment_settings",
    "pending_invoice_item_interval", "pending_setup_intent", "pending_update", "presentment_details", "schedule",
    "start_date", "status", "status_details", "test_clock", "transfer_data", "trial_end", "trial_settings",
    "trial_start"
  ],
  "subscription_item": [
    "billed_until", "billing_thresholds", "created", "current_period_end", "current_period_start", "current_trial",
    "deleted", "discounts", "id", "metadata", "object", "plan", "price", "quantity", "subscription", "tax_rates"
  ],
  "subscription_schedule": [
    "application", "billing_mode", "canceled_at", "completed_at", "created", "current_phase", "customer",
    "customer_account", "default_settings", "end_behavior", "id", "livemode", "metadata", "object",
    "pause_schedules", "phases", "released_at", "released_subscription", "status", "subscription", "test_clock"
  ],
  "invoice": [
    "account_country", "account_name", "account_tax_ids", "amount_due", "amount_overpaid", "amount_paid",
    "amount_paid_off_stripe", "amount_remaining", "amount_shipping", "application", "attempt_count", "attempted",
    "auto_advance", "automatic_tax", "automatically_finalizes_at", "billing_reason", "collection_method",
    "confirmation_secret", "created", "currency", "custom_fields", "customer", "customer_account",
    "customer_address", "customer_email", "customer_name", "customer_phone", "customer_shipping",
    "customer_tax_exempt", "customer_tax_ids", "default_payment_method", "default_source", "default_tax_rates",
    "deleted", "description", "discounts", "due_date", "effective_at", "ending_balance", "footer", "from_invoice",
    "hosted_invoice_url", "id", "invoice_pdf", "issuer", "last_finalization_error", "latest_revision", "lines",
    "livemode", "metadata", "next_payment_attempt", "number", "object", "on_behalf_of", "parent", "payment_settings",
    "payments", "period_end", "period_start", "post_payment_credit_notes_amount", "pre_payment_credit_notes_amount",
    "receipt_number", "rendering", "shipping_cost", "shipping_details", "starting_balance", "statement_descriptor",
    "status", "status_details", "status_transitions", "subtotal", "subtotal_excluding_tax", "test_clock",
    "threshold_reason", "total", "total_discount_amounts", "total_excluding_tax", "total_pretax_credit_amounts",
    "total_taxes", "webhooks_delivered_at"
  ],
  "line_item": [
    "amount", "currency", "description", "discount_amounts", "discountable", "discounts", "id", "invoice",
    "livemode", "metadata", "object", "parent", "period", "pretax_credit_amounts", "pricing", "quantity",
    "quantity_decimal", "subscription", "subtotal", "taxes"
  ],
  "invoice_payment": [
    "amount_paid", "amount_requested", "created", "currency", "id", "invoice", "is_default", "livemode", "object",
    "payment", "status", "status_transitions"
  ],
  "payment_intent": [
    "allowed_payment_method_types", "amount", "amount_capturable", "amount_details", "amount_received",
    "application", "application_fee_amount", "automatic_payment_methods", "canceled_at", "cancellation_reason",
    "capture_method", "client_secret", "confirmation_method", "created", "currency", "customer", "customer_account",
    "description", "excluded_payment_method_types", "hooks", "id", "last_payment_error", "latest_charge", "livemode",
    "managed_payments", "metadata", "next_action", "object", "on_behalf_of", "payment_details", "payment_method",
    "payment_method_configuration_details", "payment_method_options", "payment_method_types", "payment_record",
    "presentment_details", "processing", "receipt_email", "review", "setup_future_usage", "shipping", "source",
    "statement_descriptor", "statement_descriptor_suffix", "status", "transfer_data", "transfer_group"
  ],
  "payment_method": [
    "acss_debit", "affirm", "afterpay_clearpay", "alipay", "allow_redisplay", "alma", "amazon_pay", "au_becs_debit",
    "bacs_debit", "bancontact", "billie", "billing_details", "bizum", "blik", "boleto", "card", "card_present",
    "cashapp", "created", "crypto", "custom", "customer", "customer_account", "customer_balance", "eps", "fpx",
    "giropay", "grabpay", "id", "ideal", "interac_present", "kakao_pay", "klarna", "konbini", "kr_card", "link",
    "livemode", "mb_way", "metadata", "mobilepay", "multibanco", "naver_pay", "nz_bank_account", "object", "oxxo",
    "p24", "pay_by_bank", "payco", "paynow", "paypal", "paypay", "payto", "pix", "promptpay", "radar_options",
    "revolut_pay", "samsung_pay", "satispay", "scalapay", "sepa_debit", "sequra", "sofort", "sunbit", "swish",
    "twint", "type", "upi", "us_bank_account", "wechat_pay", "zip"
  ],
  "charge": [
    "amount", "amount_captured", "amount_refunded", "application", "application_fee", "application_fee_amount",
    "authorization_code", "balance_transaction", "billing_details", "calculated_statement_descriptor", "captured",
    "created", "currency", "customer", "description", "disputed", "failure_balance_transaction", "failure_code",
    "failure_message", "fraud_details", "id", "level3", "livemode", "metadata", "object", "on_behalf_of", "outcome",
    "paid", "payment_intent", "payment_method", "payment_method_details", "presentment_details", "radar_options",
    "receipt_email", "receipt_number", "receipt_url", "refunded", "refunds", "review", "shipping", "source",
    "source_transfer", "statement_descriptor", "statement_descriptor_suffix", "status", "transfer", "transfer_data",
    "transfer_group"
  ],
  "refund": [
    "amount", "balance_transaction", "charge", "created", "currency", "customer", "customer_account", "description",
    "destination_details", "failure_balance_transaction", "failure_reason", "id", "instructions_email", "metadata",
    "next_action", "object", "payment_intent", "payment_method", "pending_reason", "presentment_details", "reason",
    "receipt_number", "source_transfer_reversal", "status", "transfer_reversal"
  ],
  "dispute": [
    "amount", "balance_transactions", "charge", "created", "currency", "enhanced_eligibility_types", "evidence",
    "evidence_details", "id", "intended_submission_method", "is_charge_refundable", "livemode", "metadata",
    "network_reason_code", "object", "payment_intent", "payment_method_details", "reason", "status"
  ],
  "price": [
    "active", "billing_scheme", "created", "currency", "currency_options", "custom_unit_amount", "deleted", "id",
    "livemode", "lookup_key", "metadata", "nickname", "object", "product", "recurring", "tax_behavior", "tiers",
    "tiers_mode", "transform_quantity", "type", "unit_amount", "unit_amount_decimal"
  ],
  "product": [
    "active", "created", "default_price", "deleted", "description", "id", "images", "livemode", "marketing_features",
    "metadata", "name", "object", "package_dimensions", "shippable", "statement_descriptor", "tax_code",
    "tax_details", "type", "unit_label", "updated", "url"
  ],
  "billing_portal.session": [
    "after_expiration", "configuration", "created", "customer", "customer_account", "flow", "id", "livemode",
    "locale", "object", "on_behalf_of", "return_url", "url"
  ],
  "billing_portal.configuration": [
    "active", "application", "business_profile", "created", "default_return_url", "features", "id", "is_default",
    "livemode", "login_page", "metadata", "name", "object", "updated"
  ],
  "webhook_endpoint": [
    "api_version", "application", "created", "deleted", "description", "enabled_events", "id", "livemode",
    "metadata", "object", "secret", "status", "url"
  ],
  "event": [
    "account", "api_version", "context", "created", "data", "id", "livemode", "object", "pending_webhooks",
    "request", "type"
  ],
  "test_helpers.test_clock": [
    "created", "deleted", "deletes_after", "frozen_time", "id", "livemode", "name", "object", "status",
    "status_details"
  ],
  "tax.settings": [
    "defaults", "head_office", "livemode", "object", "status", "status_details"
  ],
  "tax.calculation": [
    "amount_total", "currency", "customer", "customer_details", "expires_at", "id", "line_items", "livemode",
    "object", "ship_from_details", "shipping_cost", "tax_amount_exclusive", "tax_amount_inclusive", "tax_breakdown",
    "tax_date"
  ],
};
