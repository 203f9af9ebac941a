/**
 * The top-level parameters Stripe accepts on each endpoint this emulator serves, at the API version the installed
 * `stripe` SDK pins (2026-10-28.endive), written down from the SDK's declarations of each method's parameters
 * (e.g. `SubscriptionUpdateParams`). Any other parameter is refused before the endpoint runs, with Stripe's 400
 * `parameter_unknown`, so a request real Stripe would refuse is refused here too. Parameters Stripe accepts but
 * this emulator does not model are accepted and ignored (see the README's "Resources").
 */
export const ACCEPTED_PARAMETERS: Record<string, readonly string[]> = {
  "DELETE /v1/customers/:id": [],
  "DELETE /v1/subscriptions/:id": ["cancellation_details", "expand", "invoice_now", "prorate"],
  "DELETE /v1/test_helpers/test_clocks/:id": [],
  "DELETE /v1/webhook_endpoints/:id": [],
  "GET /v1/billing_portal/configurations": [
    "active", "ending_before", "expand", "is_default", "limit", "starting_after"
  ],
  "GET /v1/billing_portal/configurations/:id": ["expand"],
  "GET /v1/charges": [
    "created", "customer", "ending_before", "expand", "limit", "payment_intent", "starting_after", "transfer_group"
  ],
  "GET /v1/charges/:id": ["expand"],
  "GET /v1/checkout/sessions": [
    "created", "customer", "customer_account", "customer_details", "ending_before", "expand", "limit",
    "payment_intent", "payment_link", "starting_after", "status", "subscription"
  ],
  "GET /v1/checkout/sessions/:id": ["expand"],
  "GET /v1/checkout/sessions/:id/line_items": ["ending_before", "expand", "limit", "starting_after"],
  "GET /v1/customers": ["created", "email", "ending_before", "expand", "limit", "starting_after", "test_clock"],
  "GET /v1/customers/:id": ["expand"],
  "GET /v1/customers/:id/payment_methods": [
    "allow_redisplay", "ending_before", "expand", "limit", "starting_after", "type"
  ],
  "GET /v1/customers/search": ["expand", "limit", "page", "query"],
  "GET /v1/disputes": ["charge", "created", "ending_before", "expand", "limit", "payment_intent", "starting_after"],
  "GET /v1/disputes/:id": ["expand"],
  "GET /v1/events": [
    "created", "delivery_success", "ending_before", "expand", "limit", "starting_after", "type", "types"
  ],
  "GET /v1/events/:id": ["expand"],
  "GET /v1/invoices": [
    "collection_method", "created", "customer", "customer_account", "due_date", "ending_before", "expand", "limit",
    "starting_after", "status", "subscription"
  ],
  "GET /v1/invoices/:id": ["expand"],
  "GET /v1/invoices/:id/lines": ["ending_before", "expand", "limit", "starting_after"],
  "GET /v1/payment_intents": [
    "created", "customer", "customer_account", "ending_before", "expand", "limit", "starting_after"
  ],
  "GET /v1/payment_intents/:id": ["client_secret", "expand"],
  "GET /v1/payment_methods": [
    "allow_redisplay", "customer", "customer_account", "ending_before", "expand", "limit", "starting_after", "type"
  ],
  "GET /v1/payment_methods/:id": ["expand"],
  "GET /v1/prices": [
    "active", "created", "currency", "ending_before", "expand", "limit", "lookup_keys", "product", "recurring",
    "starting_after", "type"
  ],
  "GET /v1/prices/:id": ["expand"],
  "GET /v1/products": [
    "active", "created", "ending_before", "expand", "ids", "limit", "shippable", "starting_after", "type", "url"
  ],
  "GET /v1/products/:id": ["expand"],
  "GET /v1/refunds": ["charge", "created", "ending_before", "expand", "limit", "payment_intent", "starting_after"],
  "GET /v1/refunds/:id": ["expand"],
  "GET /v1/subscription_items": ["ending_before", "expand", "limit", "starting_after", "subscription"],
  "GET /v1/subscription_schedules": [
    "canceled_at", "completed_at", "created", "customer", "customer_account", "ending_before", "expand", "limit",
    "released_at", "scheduled", "starting_after"
  ],
  "GET /v1/subscription_schedules/:id": ["expand"],
  "GET /v1/subscriptions": [
    "automatic_tax", "collection_method", "created", "current_period_end", "current_period_start", "customer",
    "customer_account", "ending_before", "expand", "limit", "plan", "price", "starting_after", "status",
    "test_clock"
  ],
  "GET /v1/subscriptions/:id": ["expand"],
  "GET /v1/tax/calculations/:id": ["expand"],
  "GET /v1/tax/settings": ["expand"],
  "GET /v1/test_helpers/test_clocks": ["ending_before", "expand", "limit", "starting_after"],
  "GET /v1/test_helpers/test_clocks/:id": ["expand"],
  "GET /v1/webhook_endpoints": ["ending_before", "expand", "limit", "starting_after"],
  "GET /v1/webhook_endpoints/:id": ["expand"],
  "POST /v1/billing_portal/configurations": [
    "business_profile", "default_return_url", "expand", "features", "login_page", "metadata", "name"
  ],
  "POST /v1/billing_portal/configurations/:id": [
    "active", "business_profile", "default_return_url", "expand", "features", "login_page", "metadata", "name"
  ],
  "POST /v1/billing_portal/sessions": [
    "after_expiration", "configuration", "customer", "customer_account", "expand", "flow_data", "locale",
    "on_behalf_of", "return_url"
  ],
  "POST /v1/checkout/sessions": [
    "adaptive_pricing", "after_expiration", "allow_promotion_codes", "allowed_payment_method_types", "automatic_tax",
    "billing_address_collection", "branding_settings", "cancel_url", "client_reference_id", "consent_collection",
    "currency", "custom_fields", "custom_text", "customer", "customer_account", "customer_creation",
    "customer_email", "customer_update", "discounts", "excluded_payment_method_types", "expand", "expires_at",
    "integration_identifier", "invoice_creation", "line_items", "locale", "managed_payments", "metadata", "mode",
    "name_collection", "optional_items", "origin_context", "payment_intent_data", "payment_method_collection",
    "payment_method_configuration", "payment_method_data", "payment_method_options", "permissions",
    "phone_number_collection", "redirect_on_completion", "return_url", "saved_payment_method_options",
    "setup_intent_data", "shipping_address_collection", "shipping_options", "submit_type", "subscription_data",
    "success_url", "tax_id_collection", "ui_mode", "wallet_options"
  ],
  "POST /v1/checkout/sessions/:id/expire": ["expand"],
  "POST /v1/customers": [
    "address", "balance", "business_name", "cash_balance", "description", "email", "expand", "individual_name",
    "invoice_prefix", "invoice_settings", "metadata", "name", "next_invoice_sequence", "payment_method", "phone",
    "preferred_locales", "shipping", "source", "tax", "tax_exempt", "tax_id_data", "test_clock", "validate"
  ],
  "POST /v1/customers/:id": [
    "address", "balance", "business_name", "cash_balance", "default_source", "description", "email", "expand",
    "individual_name", "invoice_prefix", "invoice_settings", "metadata", "name", "next_invoice_sequence", "phone",
    "preferred_locales", "shipping", "source", "tax", "tax_exempt", "validate"
  ],
  "POST /v1/disputes/:id": ["evidence", "expand", "intended_submission_method", "metadata", "submit"],
  "POST /v1/disputes/:id/close": ["expand"],
  "POST /v1/invoices/create_preview": [
    "automatic_tax", "currency", "customer", "customer_account", "customer_details", "discounts", "expand",
    "invoice_items", "issuer", "on_behalf_of", "preview_mode", "schedule", "schedule_details", "subscription",
    "subscription_details"
  ],
  "POST /v1/invoices/:id/finalize": ["auto_advance", "expand"],
  "POST /v1/invoices/:id/mark_uncollectible": ["expand"],
  "POST /v1/invoices/:id/pay": [
    "expand", "forgive", "mandate", "off_session", "paid_out_of_band", "payment_method", "source"
  ],
  "POST /v1/invoices/:id/void": ["expand"],
  "POST /v1/payment_intents": [
    "allowed_payment_method_types", "amount", "amount_details", "application_fee_amount",
    "automatic_payment_methods", "capture_method", "confirm", "confirmation_method", "confirmation_token",
    "currency", "customer", "customer_account", "description", "error_on_requires_action",
    "excluded_payment_method_types", "expand", "hooks", "mandate", "mandate_data", "metadata", "off_session",
    "on_behalf_of", "payment_details", "payment_method", "payment_method_configuration", "payment_method_data",
    "payment_method_options", "radar_options", "receipt_email", "return_url", "setup_future_usage", "shipping",
    "statement_descriptor", "statement_descriptor_suffix", "transfer_data", "transfer_group", "use_stripe_sdk"
  ],
  "POST /v1/payment_intents/:id": [
    "allowed_payment_method_types", "amount", "amount_details", "application_fee_amount", "capture_method",
    "currency", "customer", "customer_account", "description", "excluded_payment_method_types", "expand", "hooks",
    "metadata", "payment_details", "payment_method", "payment_method_configuration", "payment_method_data",
    "payment_method_options", "receipt_email", "setup_future_usage", "shipping", "statement_descriptor",
    "statement_descriptor_suffix", "transfer_data", "transfer_group"
  ],
  "POST /v1/payment_intents/:id/cancel": ["cancellation_reason", "expand"],
  "POST /v1/payment_intents/:id/confirm": [
    "allowed_payment_method_types", "amount_details", "amount_to_confirm", "capture_method", "confirmation_token",
    "error_on_requires_action", "excluded_payment_method_types", "expand", "hooks", "mandate", "mandate_data",
    "off_session", "payment_details", "payment_method", "payment_method_data", "payment_method_options",
    "radar_options", "receipt_email", "return_url", "setup_future_usage", "shipping", "use_stripe_sdk"
  ],
  "POST /v1/payment_methods": [
    "acss_debit", "affirm", "afterpay_clearpay", "alipay", "allow_redisplay", "alma", "amazon_pay", "au_becs_debit",
    "bacs_debit", "bancontact", "billie", "billing_details", "bizum", "blik", "boleto", "card", "cashapp", "crypto",
    "custom", "customer", "customer_balance", "eps", "expand", "fpx", "giropay", "grabpay", "ideal",
    "interac_present", "kakao_pay", "klarna", "konbini", "kr_card", "link", "mb_way", "metadata", "mobilepay",
    "multibanco", "naver_pay", "nz_bank_account", "oxxo", "p24", "pay_by_bank", "payco", "payment_method", "paynow",
    "paypal", "paypay", "payto", "pix", "promptpay", "radar_options", "revolut_pay", "samsung_pay", "satispay",
    "scalapay", "sepa_debit", "sequra", "sofort", "sunbit", "swish", "twint", "type", "upi", "us_bank_account",
    "wechat_pay", "zip"
  ],
  "POST /v1/payment_methods/:id": [
    "allow_redisplay", "billing_details", "card", "expand", "metadata", "us_bank_account"
  ],
  "POST /v1/payment_methods/:id/attach": ["customer", "customer_account", "expand"],
  "POST /v1/payment_methods/:id/detach": ["expand"],
  "POST /v1/prices": [
    "active", "billing_scheme", "currency", "currency_options", "custom_unit_amount", "expand", "lookup_key",
    "metadata", "nickname", "product", "product_data", "recurring", "tax_behavior", "tiers", "tiers_mode",
    "transfer_lookup_key", "transform_quantity", "unit_amount", "unit_amount_decimal"
  ],
  "POST /v1/prices/:id": [
    "active", "currency_options", "expand", "lookup_key", "metadata", "nickname", "tax_behavior",
    "transfer_lookup_key"
  ],
  "POST /v1/products": [
    "active", "default_price_data", "description", "expand", "id", "images", "marketing_features", "metadata",
    "name", "package_dimensions", "shippable", "statement_descriptor", "tax_code", "tax_details", "type",
    "unit_label", "url"
  ],
  "POST /v1/products/:id": [
    "active", "default_price", "description", "expand", "images", "marketing_features", "metadata", "name",
    "package_dimensions", "shippable", "statement_descriptor", "tax_code", "tax_details", "unit_label", "url"
  ],
  "POST /v1/refunds": [
    "amount", "charge", "currency", "customer", "expand", "instructions_email", "metadata", "origin",
    "payment_intent", "reason", "refund_application_fee", "reverse_transfer"
  ],
  "POST /v1/refunds/:id": ["expand", "metadata"],
  "POST /v1/subscription_schedules": [
    "billing_mode", "customer", "customer_account", "default_settings", "end_behavior", "expand",
    "from_subscription", "metadata", "pause_schedules", "phases", "start_date"
  ],
  "POST /v1/subscription_schedules/:id": [
    "default_settings", "end_behavior", "expand", "metadata", "pause_schedules", "phases", "proration_behavior"
  ],
  "POST /v1/subscription_schedules/:id/cancel": ["expand", "invoice_now", "prorate"],
  "POST /v1/subscription_schedules/:id/release": ["expand", "preserve_cancel_date"],
  "POST /v1/subscriptions": [
    "add_invoice_items", "application_fee_percent", "automatic_tax", "backdate_start_date", "billing_cycle_anchor",
    "billing_cycle_anchor_config", "billing_mode", "billing_schedules", "billing_thresholds", "cancel_at",
    "cancel_at_period_end", "collection_method", "currency", "customer", "customer_account", "days_until_due",
    "default_payment_method", "default_source", "default_tax_rates", "description", "discounts", "expand",
    "invoice_settings", "items", "metadata", "off_session", "on_behalf_of", "payment_behavior", "payment_settings",
    "pending_invoice_item_interval", "proration_behavior", "transfer_data", "trial_end", "trial_from_plan",
    "trial_period_days", "trial_settings"
  ],
  "POST /v1/subscriptions/:id/migrate": ["billing_mode", "expand"],
  "POST /v1/subscriptions/:id": [
    "add_invoice_items", "application_fee_percent", "automatic_tax", "billing_cycle_anchor", "billing_schedules",
    "billing_thresholds", "cancel_at", "cancel_at_period_end", "cancellation_details", "collection_method",
    "days_until_due", "default_payment_method", "default_source", "default_tax_rates", "description", "discounts",
    "expand", "invoice_settings", "items", "metadata", "off_session", "on_behalf_of", "pause_collection",
    "payment_behavior", "payment_settings", "pending_invoice_item_interval", "proration_behavior", "proration_date",
    "transfer_data", "trial_end", "trial_from_plan", "trial_settings"
  ],
  "POST /v1/tax/calculations": [
    "currency", "customer", "customer_details", "expand", "line_items", "ship_from_details", "shipping_cost",
    "tax_date"
  ],
  "POST /v1/tax/settings": ["defaults", "expand", "head_office"],
  "POST /v1/test_helpers/test_clocks": ["customer", "expand", "frozen_time", "name"],
  "POST /v1/test_helpers/test_clocks/:id/advance": ["expand", "frozen_time"],
  "POST /v1/webhook_endpoints": [
    "api_version", "connect", "description", "enabled_events", "expand", "metadata", "url"
  ],
  "POST /v1/webhook_endpoints/:id": ["description", "disabled", "enabled_events", "expand", "metadata", "url"],
};
