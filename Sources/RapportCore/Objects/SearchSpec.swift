import Foundation

/// What a record's search document holds besides its title's words.
package struct SearchSpec: Sendable {
    /// Fields indexed whole as well as by word (addresses, domains, codes).
    package var whole: [String] = []
    /// Fields indexed by word.
    package var words: [String] = []
    /// Fields of phone numbers, indexed by their digits.
    package var phones: [String] = []
    /// A reference whose record's title is indexed too (a contact is found by its company's name).
    package var reference: String?
    /// The address that ranks an exact match first.
    package var emailKey: String?

    package init(
        whole: [String] = [], words: [String] = [], phones: [String] = [], reference: String? = nil,
        emailKey: String? = nil
    ) {
        self.whole = whole
        self.words = words
        self.phones = phones
        self.reference = reference
        self.emailKey = emailKey
    }
}
