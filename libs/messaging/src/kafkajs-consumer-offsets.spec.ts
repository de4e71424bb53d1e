// kafkajs' start offsets of a group member's partitions, which patches/kafkajs+2.2.4.patch
// keeps from throwing when the member's metadata does not have a partition it was assigned.
type ConsumerOffsets = Array<{
  topic: string;
  partitions: Array<{ partition: number; offset: string | undefined }>;
}>;
const initializeConsumerOffsets =
  require('kafkajs/src/consumer/offsetManager/initializeConsumerOffsets') as (
    consumerOffsets: ConsumerOffsets,
    topicOffsets: ConsumerOffsets,
  ) => ConsumerOffsets;

describe("kafkajs' start offsets of assigned partitions (patched)", () => {
  it('takes a committed offset as it is, and the log start of a partition without one', () => {
    expect(
      initializeConsumerOffsets(
        [
          {
            topic: 't',
            partitions: [
              { partition: 0, offset: '7' },
              { partition: 1, offset: '-1' },
            ],
          },
        ],
        [{ topic: 't', partitions: [{ partition: 1, offset: '0' }] }],
      ),
    ).toEqual([
      {
        topic: 't',
        partitions: [
          { partition: 0, offset: '7' },
          { partition: 1, offset: '0' },
        ],
      },
    ]);
  });

  it("leaves unresolved a partition whose log start was not read (the member's metadata lacks it), instead of throwing", () => {
    // The group assigned partitions 0 and 3 of a topic whose partitions were raised from 2 to 4;
    // the member's metadata still shows 2, so no log start could be read for partition 3.
    expect(
      initializeConsumerOffsets(
        [
          {
            topic: 't',
            partitions: [
              { partition: 0, offset: '5' },
              { partition: 3, offset: '-1' },
            ],
          },
        ],
        [],
      ),
    ).toEqual([
      {
        topic: 't',
        partitions: [
          { partition: 0, offset: '5' },
          { partition: 3, offset: undefined },
        ],
      },
    ]);
  });
});
