import { testKilledCreatesResume } from './killed-create-resumes.js';

/**
 * A Stockroom process killed (SIGKILL) before the provider was called: before the charge, and
 * between the charge and the provider call. The restarted process resumes each store with its own
 * keys: the authorization or prepayment already taken is found, not taken twice, and the provider
 * makes the resource now (issue 5 §4).
 */
testKilledCreatesResume('a create killed before the provider is called', ['before-charge', 'after-charge'], 'the restart finishes the free, paid and prepaid stores with one charge each');
