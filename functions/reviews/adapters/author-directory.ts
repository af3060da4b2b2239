/** The authors of reviews, as people of the user pool (shared/identity/people.ts). */
export {
  cognitoPersonDirectory as cognitoAuthorDirectory,
  type PersonDirectory as AuthorDirectory,
  type PersonIdentity as AuthorIdentity,
} from '#shared/identity/people.ts';
