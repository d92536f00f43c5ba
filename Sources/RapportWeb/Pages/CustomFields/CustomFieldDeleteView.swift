/// The question before a custom field and its values are deleted.
struct CustomFieldDeleteView: PageContent {
    static let template = "custom_field_delete"
    let label: String
    let path: String
}
