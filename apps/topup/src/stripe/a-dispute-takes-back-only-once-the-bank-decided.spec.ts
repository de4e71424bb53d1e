import { disputeFactOf } from './stripe-refunds';

describe('a dispute takes back only once the bank decided', () => {
  const dispute = (status: string) => ({
    id: 'dp_1',
    object: 'dispute',
    amount: 1500,
    currency: 'chf',
    charge: 'ch_1',
    payment_intent: 'pi_1',
    status,
    created: 1_765_000_000,
  });

  it('lost: a refund of the disputed amount that went through', () => {
    expect(disputeFactOf(dispute('lost'))).toEqual({
      refundId: 'dp_1',
      source: 'dispute',
      minor: 1500,
      currency: 'chf',
      ended: null,
      created: 1_765_000_000,
    });
  });

  it('won: a take-back that ended, so that a loss before it is given back', () => {
    expect(disputeFactOf(dispute('won'))?.ended).toEqual({
      status: 'canceled',
      reason: 'dispute_won',
    });
  });

  it.each([
    'warning_needs_response',
    'warning_under_review',
    'warning_closed',
    'needs_response',
    'under_review',
    'appeal_needs_response',
    'appeal_under_review',
    'prevented',
  ])('%s: nothing yet', (status) => {
    expect(disputeFactOf(dispute(status))).toBeUndefined();
  });

  it('without an amount or an id: nothing', () => {
    expect(disputeFactOf({ ...dispute('lost'), amount: -1 })).toBeUndefined();
    expect(disputeFactOf({ ...dispute('lost'), id: '' })).toBeUndefined();
  });
});
