/// The workspace's custom fields and the form that adds one.
struct CustomFieldsView: PageContent {
    static let template = "custom_fields"

    struct Row {
        let label: String
        let key: String
        let object: String
        let type: String
        let options: String
        let edit: String
        let move: String
        let delete: String
    }

    /// What was typed into the form, kept when it is shown again with errors.
    struct Typed {
        let label: String?
        let key: String?
        let options: String?
    }

    let rows: [Row]
    let hasRows: Bool
    let types: [Option]
    let objects: [Option]
    let form: Typed
    let errors: [String: String]
}
