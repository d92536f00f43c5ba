/// The form that changes a custom field's label and options; its key, object and type stay as they are.
struct CustomFieldEditView: PageContent {
    static let template = "custom_field_edit"
    let key: String
    let object: String
    let type: String
    let label: String
    let options: String
    let hasOptions: Bool
    let action: String
    let errors: [String: String]
}
