/// Finds who a note mentions: `@` followed by a user's email or by their name as the workspace knows it
/// (`@Ana Lopes`, `@مهسا احمدی`, `@ana@acme.test`). Names may hold spaces, so the longest known name
/// or address after the `@` wins (`@Ana Lopes` is Ana Lopes even when someone is called Ana), and it
/// must end where a word ends (`@Ana Lopesson` is nobody). Matching folds case, diacritics and Persian
/// and Arabic letter variants as search does (`SearchKey`), so `@علي` finds علی. An `@` inside a word is
/// part of an address, never a mention (`x@y.com`).
package struct Mentions: Sendable {
    /// Someone who can be mentioned.
    package struct Person: Sendable, Equatable {
        package var id: String
        package var name: String
        package var email: String

        package init(id: String, name: String, email: String) {
            self.id = id
            self.name = name
            self.email = email
        }
    }

    /// Every name and address by its key, with the people it names (two people may share a name).
    let ids: [String: [String]]
    /// Every beginning of a key, so that reading stops as soon as no name can follow.
    let prefixes: Set<String>
    /// How many characters a mention may run to before its key is made.
    let longest: Int

    /// - Parameter people: the workspace's users who may be mentioned (the active ones).
    package init(_ people: [Person]) {
        var ids: [String: [String]] = [:]
        for person in people {
            for key in Set([Self.key(person.name), Self.key(person.email)]) where !key.isEmpty {
                if !(ids[key]?.contains(person.id) ?? false) { ids[key, default: []].append(person.id) }
            }
        }
        var prefixes = Set<String>()
        for key in ids.keys {
            var prefix = ""
            for character in key {
                prefix.append(character)
                prefixes.insert(prefix)
            }
        }
        self.ids = ids
        self.prefixes = prefixes
        // Typed text may hold more characters than its key (tatweel, doubled spaces).
        self.longest = (ids.keys.map(\.count).max() ?? 0) * 2 + 8
    }

    /// The users of `users` who are still active, as people to mention.
    package init(users: [User]) {
        self.init(
            users.filter { $0.deactivatedAt == nil }.map { Person(id: $0.id, name: $0.name, email: $0.email) })
    }

    /// The ids of the people `text` mentions, each once, in the order they are first mentioned.
    package func mentioned(in text: String) -> [String] {
        guard !ids.isEmpty, text.contains("@") else { return [] }
        let characters = Array(text)
        var found: [String] = []
        var index = 0
        while index < characters.count {
            guard characters[index] == "@", index == 0 || !Self.isWordPart(characters[index - 1]) else {
                index += 1
                continue
            }
            var matched: (end: Int, ids: [String])?
            var end = index + 1
            while end < characters.count, end - index <= longest {
                end += 1
                let key = Self.key(String(characters[(index + 1)..<end]), trimming: false)
                guard prefixes.contains(key) else { break }
                if let people = ids[key], Self.endsWord(characters, at: end) { matched = (end, people) }
            }
            if let matched {
                for id in matched.ids where !found.contains(id) { found.append(id) }
                index = matched.end
            } else {
                index += 1
            }
        }
        return found
    }

    /// A name or address as it is matched: normalised as search does, runs of spaces made one.
    static func key(_ text: String, trimming: Bool = true) -> String {
        var key = ""
        var space = false
        for character in SearchKey.normalize(text) {
            if character.isWhitespace {
                space = true
                continue
            }
            if space, !key.isEmpty || !trimming { key.append(" ") }
            space = false
            key.append(character)
        }
        if space, !trimming { key.append(" ") }
        return key
    }

    /// Letters, digits and what joins the parts of an address.
    static func isWordPart(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_" || character == "." || character == "-"
            || character == "+"
    }

    /// Whether a mention may end before `end`: at the end of the text, or before something that is not
    /// part of a word or an address (a full stop ends a sentence, but `.uk` carries an address on).
    static func endsWord(_ characters: [Character], at end: Int) -> Bool {
        guard end < characters.count else { return true }
        let next = characters[end]
        if next.isLetter || next.isNumber || next == "_" { return false }
        if ".-+@".contains(next), end + 1 < characters.count {
            let after = characters[end + 1]
            return !(after.isLetter || after.isNumber)
        }
        return true
    }
}
