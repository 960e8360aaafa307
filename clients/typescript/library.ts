// A small client written against the types openapi-typescript generates from the
// schema (`schema.d.ts`, see the README's "Generate a client"). `make test-clients`
// generates them from a live server and type-checks this file with tsc --strict: if the
// schema stops saying what these calls need, this stops compiling.
import type { components, paths } from "./schema";

type Schemas = components["schemas"];
type Json<Operation> = Operation extends { content: { "application/json": infer Body } } ? Body : never;

export type TokenPair = Schemas["TokenPair"];
// With the second factor on, the password step answers 202 with this instead of a pair.
export type MfaChallenge = Schemas["MfaChallenge"];
export type Author = Schemas["Author"];
export type NewAuthor = Schemas["AuthorRequest"];
export type User = Schemas["User"];
export type AuthorQuery = NonNullable<paths["/api/authors/"]["get"]["parameters"]["query"]>;
type AuthorPage = Json<paths["/api/authors/"]["get"]["responses"][200]>;
type Credentials = Json<paths["/api/auth/token/"]["post"]["requestBody"]>;
type SecondStep = Json<paths["/api/auth/token/mfa/"]["post"]["requestBody"]>;
// The bodies a generated client could not send before: deleting your account needs your
// password, and staff change a user's flags.
type AccountDeletion = Json<paths["/api/accounts/me/"]["delete"]["requestBody"]>;
type UserFlags = Json<NonNullable<paths["/api/accounts/users/{id}/"]["patch"]["requestBody"]>>;
type ErrorAnswer = Schemas["Error"];

export class LibraryClient {
  constructor(
    private readonly base: string,
    private access?: string,
  ) {}

  private async call<Answer>(method: string, path: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.access) headers.Authorization = `Bearer ${this.access}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(new URL(path, this.base), {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (!response.ok) {
      const error = (await response.json()) as ErrorAnswer | Record<string, string[]>;
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(error)}`);
    }
    return (response.status === 204 ? undefined : await response.json()) as Answer;
  }

  // A pair, or (second factor on) a challenge for logInWithCode: check "mfa_token" in it.
  async logIn(credentials: Credentials): Promise<TokenPair | MfaChallenge> {
    const answer = await this.call<TokenPair | MfaChallenge>("POST", "/api/auth/token/", credentials);
    if ("access" in answer) this.access = answer.access;
    return answer;
  }

  async logInWithCode(step: SecondStep): Promise<TokenPair> {
    const pair = await this.call<TokenPair>("POST", "/api/auth/token/mfa/", step);
    this.access = pair.access;
    return pair;
  }

  addAuthor(author: NewAuthor): Promise<Author> {
    return this.call<Author>("POST", "/api/authors/", author);
  }

  listAuthors(query: AuthorQuery = {}): Promise<AuthorPage> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) search.set(name, String(value));
    }
    return this.call<AuthorPage>("GET", `/api/authors/?${search}`);
  }

  user(id: number): Promise<User> {
    return this.call<User>("GET", `/api/accounts/users/${id}/`);
  }

  setFlags(id: number, flags: UserFlags): Promise<Schemas["StaffUser"]> {
    return this.call<Schemas["StaffUser"]>("PATCH", `/api/accounts/users/${id}/`, flags);
  }

  deleteMyAccount(confirmation: AccountDeletion): Promise<void> {
    return this.call<void>("DELETE", "/api/accounts/me/", confirmation);
  }
}

// `view` tells the two shapes of a user apart: only the staff shape has an email.
export function contact(user: User): string {
  switch (user.view) {
    case "staff":
      return `${user.username} <${user.email}>`;
    case "public":
      return user.username;
  }
}

export async function example(base: string): Promise<string[]> {
  const library = new LibraryClient(base);
  const answer = await library.logIn({ username: "ada@example.com", password: "a long unguessable phrase" });
  if ("mfa_token" in answer) await library.logInWithCode({ mfa_token: answer.mfa_token, code: "123456" });
  await library.addAuthor({ name: "Anna Burns", book: "Milkman", country: "United Kingdom", booker_prize: true });
  const winners = await library.listAuthors({ booker_prize: true, ordering: "-created_at", page_size: 50 });
  await library.setFlags(7, { is_active: false });
  await library.deleteMyAccount({ password: "a long unguessable phrase" });
  return winners.results.map((author: Author) => `${author.name}, ${author.book} (${author.owner})`);
}

// What the types refuse; tsc fails if any of these compiles (an unused @ts-expect-error).
export function refused(library: LibraryClient, publicUser: Schemas["PublicUser"]): void {
  // @ts-expect-error: booker_prize is a boolean
  void library.listAuthors({ booker_prize: "yes" });
  // @ts-expect-error: an author needs a book
  void library.addAuthor({ name: "Anna Burns", country: "United Kingdom" });
  // @ts-expect-error: deleting your account needs your password
  void library.deleteMyAccount({});
  // @ts-expect-error: the public shape has no email
  void publicUser.email;
  // @ts-expect-error: the second step needs the mfa_token of the first
  void library.logInWithCode({ code: "123456" });
}
